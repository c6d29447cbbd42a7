from datetime import UTC, datetime, time

import pytest

from inventory.domain.batch_window import (
    DailyWindow,
    WindowRecord,
    after_stop,
    next_scheduled_start,
    parse_schedule,
    window_state,
)


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2030, 1, day, hour, minute, tzinfo=UTC)


def test_schedules_parse_and_may_wrap_midnight():
    assert parse_schedule("01:00-02:00, 23:30-00:30") == (
        DailyWindow(time(1), time(2)),
        DailyWindow(time(23, 30), time(0, 30)),
    )
    assert parse_schedule("") == ()


@pytest.mark.parametrize("text", ["1-2", "25:00-01:00", "01:00-01:00", "01:00"])
def test_bad_schedules_are_refused(text):
    with pytest.raises(ValueError, match="batch window"):
        parse_schedule(text)


@pytest.mark.parametrize(
    ("now", "active", "ends_at"),
    [
        (at(0, 59), False, None),
        (at(1, 0), True, at(2, 0)),
        (at(1, 59), True, at(2, 0)),
        (at(2, 0), False, None),
    ],
)
def test_a_scheduled_window_is_active_from_start_to_end(now, active, ends_at):
    state = window_state(now, parse_schedule("01:00-02:00"), WindowRecord())
    assert (state.active, state.ends_at) == (active, ends_at)


def test_a_window_past_midnight_belongs_to_the_day_it_started():
    schedule = parse_schedule("23:30-00:30")
    assert window_state(at(0, 10, day=8), schedule, WindowRecord()).ends_at == at(0, 30, day=8)
    assert window_state(at(23, 45), schedule, WindowRecord()).ends_at == at(0, 30, day=8)
    assert not window_state(at(0, 30, day=8), schedule, WindowRecord()).active


def test_a_manual_window_lasts_until_stopped_and_stop_also_ends_the_scheduled_one():
    schedule = parse_schedule("01:00-02:00")
    manual = WindowRecord(at(0, 30), "reindex")
    assert window_state(at(3), schedule, manual).active
    assert window_state(at(3), schedule, manual).source == "manual"

    stopped = after_stop(at(1, 15), schedule, manual)

    assert not window_state(at(1, 30), schedule, stopped).active
    assert window_state(at(1, 30, day=8), schedule, stopped).active  # the next night's window runs


def test_the_next_scheduled_start():
    schedule = parse_schedule("01:00-02:00,12:00-12:15")
    assert next_scheduled_start(at(3), schedule) == at(12)
    assert next_scheduled_start(at(13), schedule) == at(1, day=8)
    assert next_scheduled_start(at(13), ()) is None
