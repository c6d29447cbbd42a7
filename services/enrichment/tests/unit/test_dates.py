from datetime import date

import pytest

from enrichment.domain.dates import check_requested_dates, requested_date_problems
from enrichment.domain.errors import InvalidFieldsError

TODAY = date(2025, 12, 1)


def test_start_today_and_due_later_is_fine():
    assert requested_date_problems(TODAY, date(2025, 12, 19), TODAY) == []


def test_start_equal_to_due_is_fine():
    assert requested_date_problems(date(2025, 12, 8), date(2025, 12, 8), TODAY) == []


def test_start_after_due_is_refused_on_the_due_date():
    (problem,) = requested_date_problems(date(2025, 12, 9), date(2025, 12, 8), TODAY)
    assert problem.field == "customerRequestedDueDate"
    assert "before customerRequestedStartDate" in problem.message


def test_dates_in_the_past_are_refused_each():
    problems = requested_date_problems(date(2025, 11, 30), date(2025, 11, 30), TODAY)
    assert [problem.field for problem in problems] == [
        "customerRequestedStartDate",
        "customerRequestedDueDate",
    ]
    assert all("past" in problem.message for problem in problems)


def test_check_raises_with_every_problem():
    with pytest.raises(InvalidFieldsError) as refused:
        check_requested_dates(date(2025, 11, 1), date(2025, 10, 1), TODAY)
    assert len(refused.value.problems) == 3
