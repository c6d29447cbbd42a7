"""Reference data: the configured territories and their windows for the next working days."""

from dataclasses import dataclass
from datetime import date

import asyncpg

from appointment.adapters import reference_data
from appointment.service_layer.rules import AppointmentRules


@dataclass(frozen=True)
class ReferenceDataLoaded:
    territories: int
    first_day: date
    last_day: date
    windows_per_territory: int
    slots_created: int


async def ensure_reference_data(
    pool: asyncpg.Pool, rules: AppointmentRules, *, days: int, capacity: int
) -> ReferenceDataLoaded:
    """Idempotent: territories are created (or renamed), missing windows created with `capacity`;
    existing windows keep their capacity and bookings."""
    if days < 1 or capacity < 0:
        raise ValueError("days must be >= 1 and capacity >= 0")
    working_days = rules.schedule.calendar.next_working_days(rules.local_now().date(), days)
    windows = rules.schedule.windows_for_days(working_days)
    territories = rules.territories.territories
    async with pool.acquire() as conn, conn.transaction():
        await reference_data.upsert_territories(conn, territories)
        created = await reference_data.insert_missing_slots(
            conn, [territory.territory_id for territory in territories], windows, capacity
        )
    return ReferenceDataLoaded(
        territories=len(territories),
        first_day=working_days[0],
        last_day=working_days[-1],
        windows_per_territory=len(windows),
        slots_created=created,
    )
