"""Appointment windows: the daily templates (e.g. 08:00-12:00) and concrete windows on a day.

A window is the site's wall-clock time (no zone). Its text form is `YYYY-MM-DD HH:MM:SS.mmm`.
"""

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from shared_contracts.distributor.types import format_appointment_timestamp, parse_appointment_timestamp

_TEMPLATE = re.compile(r"^\s*(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$")


def slot_text(moment: datetime) -> str:
    """`2025-12-08 08:00:00.000`."""
    return format_appointment_timestamp(moment)


def parse_slot_text(text: str) -> datetime:
    return parse_appointment_timestamp(text)


@dataclass(frozen=True, order=True)
class Window:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a window ends after it starts: {self.start} - {self.end}")

    @property
    def day(self) -> date:
        return self.start.date()

    def text(self) -> str:
        return f"{slot_text(self.start)} - {slot_text(self.end)}"


@dataclass(frozen=True, order=True)
class WindowTemplate:
    """A window offered on every working day, e.g. 08:00-12:00."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a window ends after it starts on the same day: {self.start} - {self.end}")

    @classmethod
    def parse(cls, text: str) -> "WindowTemplate":
        """`08:00-12:00` -> WindowTemplate(08:00, 12:00)."""
        match = _TEMPLATE.match(text)
        if match is None:
            raise ValueError(f"not a window of the form 'HH:MM-HH:MM': {text!r}")
        return cls(time.fromisoformat(match["start"].zfill(5)), time.fromisoformat(match["end"].zfill(5)))

    def on(self, day: date) -> Window:
        return Window(datetime.combine(day, self.start), datetime.combine(day, self.end))

    def matches(self, window: Window) -> bool:
        return (
            window.start.time() == self.start
            and window.end.time() == self.end
            and (window.start.date() == window.end.date())
        )


def parse_templates(texts: Iterable[str]) -> tuple[WindowTemplate, ...]:
    """The configured daily windows, sorted; overlapping windows are refused."""
    templates = sorted(WindowTemplate.parse(text) for text in texts)
    if not templates:
        raise ValueError("at least one appointment window is needed")
    for earlier, later in itertools.pairwise(templates):
        if later.start < earlier.end:
            raise ValueError(f"appointment windows overlap: {earlier} and {later}")
    return tuple(templates)
