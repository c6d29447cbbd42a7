from datetime import date, datetime, time

from appointment.domain.schedule import RequestedDates, Schedule
from appointment.domain.windows import Window, WindowTemplate
from appointment.domain.working_days import WorkingCalendar

MORNING = WindowTemplate(time(8), time(12))
AFTERNOON = WindowTemplate(time(12), time(16))
SCHEDULE = Schedule(WorkingCalendar(holidays=frozenset({date(2030, 1, 9)})), (MORNING, AFTERNOON))
REQUESTED = RequestedDates(date(2030, 1, 7), date(2030, 1, 14))  # Monday to the next Monday
BEFORE = datetime(2030, 1, 1, 9)


def test_offered_windows_are_configured_windows_on_working_days_between_the_requested_dates():
    assert SCHEDULE.is_offered(MORNING.on(date(2030, 1, 7)), REQUESTED, BEFORE)
    assert SCHEDULE.is_offered(AFTERNOON.on(date(2030, 1, 14)), REQUESTED, BEFORE)
    assert not SCHEDULE.is_offered(MORNING.on(date(2030, 1, 6)), REQUESTED, BEFORE)  # before start
    assert not SCHEDULE.is_offered(MORNING.on(date(2030, 1, 15)), REQUESTED, BEFORE)  # after due
    assert not SCHEDULE.is_offered(MORNING.on(date(2030, 1, 12)), REQUESTED, BEFORE)  # Saturday
    assert not SCHEDULE.is_offered(MORNING.on(date(2030, 1, 9)), REQUESTED, BEFORE)  # holiday


def test_a_window_of_another_shape_is_not_offered():
    whole_day = Window(datetime(2030, 1, 7, 8), datetime(2030, 1, 7, 16))
    assert not SCHEDULE.is_offered(whole_day, REQUESTED, BEFORE)


def test_a_window_that_has_started_is_not_offered():
    now = datetime(2030, 1, 7, 8, 0)
    assert not SCHEDULE.is_offered(MORNING.on(date(2030, 1, 7)), REQUESTED, now)
    assert SCHEDULE.is_offered(AFTERNOON.on(date(2030, 1, 7)), REQUESTED, now)


def test_search_days_skip_the_past_and_end_at_the_due_date():
    assert SCHEDULE.search_days(REQUESTED, BEFORE) == (date(2030, 1, 7), date(2030, 1, 14))
    assert SCHEDULE.search_days(REQUESTED, datetime(2030, 1, 10, 9)) == (date(2030, 1, 10), date(2030, 1, 14))
    assert SCHEDULE.search_days(REQUESTED, datetime(2030, 1, 15, 9)) is None


def test_windows_for_days_skip_non_working_days():
    days = [date(2030, 1, 8), date(2030, 1, 9), date(2030, 1, 12)]
    assert SCHEDULE.windows_for_days(days) == [MORNING.on(date(2030, 1, 8)), AFTERNOON.on(date(2030, 1, 8))]
