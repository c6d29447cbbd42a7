"""Cancel a service appointment: its place in the window is given back."""

import asyncpg

from appointment.adapters import appointments, slots, sub_orders
from appointment.domain.appointment import Appointment
from appointment.domain.errors import NotCancellableError, NotFoundError
from appointment.domain.states import AppointmentState
from appointment.service_layer import events
from appointment.service_layer.context import RequestContext
from appointment.service_layer.rules import AppointmentRules


async def cancel_appointment(
    pool: asyncpg.Pool, rules: AppointmentRules, context: RequestContext, appointment_id: str
) -> Appointment:
    """Cancelling a cancelled appointment answers it again (no event); a completed or failed one,
    or one whose window has started, cannot be cancelled (409)."""
    found = await appointments.find(pool, appointment_id)
    if found is None or found.tenant != context.tenant:
        raise NotFoundError("Appointment", appointment_id)
    async with pool.acquire() as conn, conn.transaction():
        await sub_orders.lock(conn, found.appointment.sub_order_id)  # serialized with its bookings
        stored = await appointments.find(conn, appointment_id)
        if stored is None:
            raise NotFoundError("Appointment", appointment_id)
        appointment = stored.appointment
        if appointment.state is AppointmentState.CANCELLED:
            return appointment
        if appointment.state is not AppointmentState.CONFIRMED:
            raise NotCancellableError(f"Appointment {appointment_id} is {appointment.state.value}.")
        if appointment.window.start <= rules.local_now():
            raise NotCancellableError(f"Appointment {appointment_id} has already started.")
        cancelled = appointment.cancelled()
        await appointments.save_state(conn, cancelled)
        await slots.release(conn, stored.slot_id)
        await events.stage(conn, events.cancelled(cancelled), context.transaction_id)
        return cancelled
