"""The configured rules a use case applies, and the clock it reads."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from appointment.config import Settings
from appointment.domain.sandbox import SandboxTestData
from appointment.domain.schedule import Schedule
from appointment.domain.territories import Territory, TerritoryMap
from appointment.domain.windows import parse_templates
from appointment.domain.working_days import WorkingCalendar


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppointmentRules:
    sandbox: SandboxTestData
    territories: TerritoryMap
    schedule: Schedule
    timezone: ZoneInfo
    clock: Callable[[], datetime] = field(default=utc_now)

    def local_now(self) -> datetime:
        """Now on the business clock, without a zone (windows are wall-clock times)."""
        return self.clock().astimezone(self.timezone).replace(tzinfo=None)


def rules_from(settings: Settings) -> AppointmentRules:
    return AppointmentRules(
        sandbox=SandboxTestData.from_lines(settings.sandbox_addresses),
        territories=TerritoryMap.of(
            [Territory(t.id, t.name, t.state.upper(), tuple(t.postal_prefixes)) for t in settings.territories]
        ),
        schedule=Schedule(
            WorkingCalendar(holidays=frozenset(settings.appointment_holidays)),
            parse_templates(settings.appointment_windows),
        ),
        timezone=ZoneInfo(settings.business_timezone),
    )
