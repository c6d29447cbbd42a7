"""The nightly batch window: a daily UTC schedule plus a manual start/stop kept in the database.

While the window is active, inventory writes are refused (503) and the Kafka consumers pause;
lookups go on. `stop` ends a manual window and also the rest of the scheduled occurrence it is
in, if any (an operator who stops the window means it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class DailyWindow:
    start: time
    end: time
    """Exclusive; before `start` means the window runs past midnight."""

    def occurrence_containing(self, now: datetime) -> tuple[datetime, datetime] | None:
        """The [start, end) occurrence that contains `now`, if any (UTC)."""
        today = now.astimezone(UTC).date()
        for day in (today - timedelta(days=1), today):
            begins = datetime.combine(day, self.start, UTC)
            ends = datetime.combine(day if self.end > self.start else day + timedelta(days=1), self.end, UTC)
            if begins <= now < ends:
                return begins, ends
        return None

    def next_start(self, now: datetime) -> datetime:
        today = now.astimezone(UTC).date()
        begins = datetime.combine(today, self.start, UTC)
        return begins if begins > now else begins + timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_schedule(text: str) -> tuple[DailyWindow, ...]:
    """`"01:00-02:00"` or `"23:30-00:30,12:00-12:15"` (UTC); empty: no scheduled window."""
    windows = []
    for part in (piece for piece in text.split(",") if piece.strip()):
        match = _WINDOW.match(part)
        if match is None:
            raise ValueError(f"batch window {part.strip()!r} is not HH:MM-HH:MM")
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        try:
            start, end = time(start_h, start_m), time(end_h, end_m)
        except ValueError as error:
            raise ValueError(f"batch window {part.strip()!r}: {error}") from error
        if start == end:
            raise ValueError(f"batch window {part.strip()!r} is empty")
        windows.append(DailyWindow(start, end))
    return tuple(windows)


@dataclass(frozen=True)
class WindowRecord:
    """The shared state in the database (one row)."""

    manual_since: datetime | None = None
    manual_reason: str | None = None
    skip_scheduled_until: datetime | None = None


@dataclass(frozen=True)
class WindowState:
    active: bool
    source: Literal["manual", "scheduled"] | None = None
    since: datetime | None = None
    ends_at: datetime | None = None
    """Known for a scheduled window; a manual one lasts until stopped."""
    reason: str | None = None


def window_state(now: datetime, schedule: Sequence[DailyWindow], record: WindowRecord) -> WindowState:
    if record.manual_since is not None:
        return WindowState(True, "manual", record.manual_since, None, record.manual_reason)
    for window in schedule:
        occurrence = window.occurrence_containing(now)
        if occurrence is None:
            continue
        begins, ends = occurrence
        if record.skip_scheduled_until is not None and record.skip_scheduled_until >= ends:
            continue
        return WindowState(True, "scheduled", begins, ends, f"nightly batch window {window} UTC")
    return WindowState(False)


def after_stop(now: datetime, schedule: Sequence[DailyWindow], record: WindowRecord) -> WindowRecord:
    """The record once an operator stopped the window at `now`."""
    current = window_state(now, schedule, WindowRecord(skip_scheduled_until=record.skip_scheduled_until))
    skip = (
        current.ends_at if current.active and current.source == "scheduled" else record.skip_scheduled_until
    )
    return WindowRecord(None, None, skip)


def next_scheduled_start(now: datetime, schedule: Sequence[DailyWindow]) -> datetime | None:
    starts = [window.next_start(now) for window in schedule]
    return min(starts) if starts else None
