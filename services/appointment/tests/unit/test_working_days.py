from datetime import date

import pytest

from appointment.config import Settings
from appointment.domain.working_days import WorkingCalendar
from appointment.service_layer.rules import rules_from

MONDAY = date(2030, 12, 23)
CHRISTMAS = date(2030, 12, 25)


def test_monday_to_friday_are_working_days_weekends_are_not():
    calendar = WorkingCalendar()
    week = [date(2030, 12, 23 + offset) for offset in range(7)]
    assert [calendar.is_working_day(day) for day in week] == [True] * 5 + [False] * 2


def test_holidays_are_not_working_days():
    calendar = WorkingCalendar(holidays=frozenset({CHRISTMAS}))
    assert list(calendar.working_days_between(MONDAY, date(2030, 12, 29))) == [
        date(2030, 12, 23),
        date(2030, 12, 24),
        date(2030, 12, 26),
        date(2030, 12, 27),
    ]


def test_the_next_working_days_start_today_when_today_is_one():
    calendar = WorkingCalendar(holidays=frozenset({CHRISTMAS}))
    assert calendar.next_working_days(MONDAY, 3) == [
        date(2030, 12, 23),
        date(2030, 12, 24),
        date(2030, 12, 26),
    ]
    assert calendar.next_working_days(date(2030, 12, 28), 1) == [date(2030, 12, 30)]


def test_working_weekdays_must_be_days_of_the_week():
    with pytest.raises(ValueError, match="weekdays"):
        WorkingCalendar(weekdays=frozenset({7}))


def test_holidays_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("APPOINTMENT_HOLIDAYS", '["2030-12-25"]')
    assert not rules_from(Settings()).schedule.calendar.is_working_day(CHRISTMAS)
