"""Working days: Monday to Friday unless configured otherwise, minus holidays."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = frozenset()
    weekdays: frozenset[int] = field(default=MONDAY_TO_FRIDAY)
    """`date.weekday()` numbers that are working days (0 = Monday)."""

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("working weekdays must be a non-empty subset of 0..6")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays

    def working_days_between(self, first: date, last: date) -> Iterator[date]:
        """Working days from `first` to `last`, both included."""
        day = first
        while day <= last:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)

    def next_working_days(self, first: date, count: int) -> list[date]:
        """The first `count` working days from `first` on (`first` included when it is one)."""
        days: list[date] = []
        day = first
        while len(days) < count:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days
