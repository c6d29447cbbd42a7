from datetime import date, datetime, time

import pytest

from appointment.config import Settings
from appointment.domain.windows import Window, WindowTemplate, parse_slot_text, parse_templates, slot_text
from appointment.service_layer.rules import rules_from


def test_slot_text_is_exactly_date_time_and_milliseconds():
    assert slot_text(datetime(2025, 12, 8, 8, 0)) == "2025-12-08 08:00:00.000"
    assert slot_text(datetime(2025, 12, 8, 16, 30, 5, 123456)) == "2025-12-08 16:30:05.123"
    assert parse_slot_text("2025-12-08 12:00:00.000") == datetime(2025, 12, 8, 12, 0)


@pytest.mark.parametrize("text", ["2025-12-08T08:00:00.000", "2025-12-08 08:00:00", "2025-12-08 8:00:00.000"])
def test_other_spellings_are_not_slot_text(text: str):
    with pytest.raises(ValueError, match=r"YYYY-MM-DD HH:MM:SS\.mmm"):
        parse_slot_text(text)


def test_the_default_windows_are_morning_and_afternoon():
    templates = rules_from(Settings()).schedule.templates
    assert templates == (WindowTemplate(time(8), time(12)), WindowTemplate(time(12), time(16)))


def test_a_template_on_a_day_is_a_window_and_matches_only_that_shape():
    morning = WindowTemplate.parse("8:00-12:00")
    window = morning.on(date(2030, 1, 7))
    assert window == Window(datetime(2030, 1, 7, 8), datetime(2030, 1, 7, 12))
    assert morning.matches(window)
    assert not morning.matches(Window(datetime(2030, 1, 7, 8), datetime(2030, 1, 7, 16)))
    assert window.text() == "2030-01-07 08:00:00.000 - 2030-01-07 12:00:00.000"


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        (["08:00-12:00", "11:00-15:00"], "overlap"),
        (["12:00-08:00"], "ends after it starts"),
        (["morning"], "HH:MM-HH:MM"),
        ([], "at least one"),
    ],
)
def test_bad_window_configuration_is_refused(texts: list[str], problem: str):
    with pytest.raises(ValueError, match=problem):
        parse_templates(texts)


def test_windows_are_configurable_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("APPOINTMENT_WINDOWS", '["13:00-17:00", "09:00-13:00"]')
    assert rules_from(Settings()).schedule.templates == (
        WindowTemplate(time(9), time(13)),
        WindowTemplate(time(13), time(17)),
    )


def test_a_window_ends_after_it_starts():
    with pytest.raises(ValueError, match="ends after it starts"):
        Window(datetime(2030, 1, 7, 12), datetime(2030, 1, 7, 8))
