"""The confirmed appointment of a sub-order, read from the bookings themselves (never stale)."""

import asyncpg

from appointment.adapters import appointments
from appointment.domain.appointment import Appointment
from appointment.domain.sub_order import Tenant


async def confirmed_appointment(pool: asyncpg.Pool, tenant: Tenant, sub_order_id: str) -> Appointment | None:
    found = await appointments.confirmed_of(pool, sub_order_id)
    if found is None or found.tenant != tenant:
        return None
    return found.appointment
