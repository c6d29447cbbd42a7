"""Which windows a sub-order is offered: working days between its requested dates, configured
windows only, and only windows that have not started yet."""

from dataclasses import dataclass
from datetime import date, datetime

from appointment.domain.windows import Window, WindowTemplate
from appointment.domain.working_days import WorkingCalendar


@dataclass(frozen=True)
class RequestedDates:
    """The customer's requested start and due dates (installation enrichment), both included."""

    start: date
    due: date


@dataclass(frozen=True)
class Schedule:
    calendar: WorkingCalendar
    templates: tuple[WindowTemplate, ...]

    def windows_on(self, day: date) -> list[Window]:
        if not self.calendar.is_working_day(day):
            return []
        return [template.on(day) for template in self.templates]

    def windows_for_days(self, days: list[date]) -> list[Window]:
        return [window for day in days for window in self.windows_on(day)]

    def search_days(self, requested: RequestedDates, now: datetime) -> tuple[date, date] | None:
        """The calendar days worth looking at (none already past), or None when none is left."""
        first = max(requested.start, now.date())
        return None if first > requested.due else (first, requested.due)

    def is_offered(self, window: Window, requested: RequestedDates, now: datetime) -> bool:
        return (
            requested.start <= window.day <= requested.due
            and self.calendar.is_working_day(window.day)
            and any(template.matches(window) for template in self.templates)
            and window.start > now
        )
