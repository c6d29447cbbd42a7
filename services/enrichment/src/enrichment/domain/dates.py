"""Requested installation dates: start <= due, neither in the past."""

from datetime import date

from enrichment.domain.errors import FieldProblem, InvalidFieldsError

START_FIELD = "customerRequestedStartDate"
DUE_FIELD = "customerRequestedDueDate"


def requested_date_problems(start: date, due: date, today: date) -> list[FieldProblem]:
    problems = []
    if start < today:
        problems.append(FieldProblem(START_FIELD, f"must not be in the past (today is {today})", str(start)))
    if due < today:
        problems.append(FieldProblem(DUE_FIELD, f"must not be in the past (today is {today})", str(due)))
    if start > due:
        problems.append(FieldProblem(DUE_FIELD, f"must not be before {START_FIELD} ({start})", str(due)))
    return problems


def check_requested_dates(start: date, due: date, today: date) -> None:
    problems = requested_date_problems(start, due, today)
    if problems:
        raise InvalidFieldsError(problems)
