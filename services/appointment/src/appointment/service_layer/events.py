"""The integration events of an appointment (appointments.appointment.v1, key orderId), written to
the outbox in the transaction of the change."""

import asyncpg

from appointment.domain.appointment import Appointment
from shared_contracts.events import AppointmentBooked, AppointmentCancelled, Event
from shared_messaging.outbox import add_event

SOURCE_SERVICE = "appointment"


def booked(appointment: Appointment) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_id=appointment.appointment_id,
        order_id=appointment.order_id,
        sub_order_id=appointment.sub_order_id,
        start_date=appointment.window.start,
        end_date=appointment.window.end,
    )


def cancelled(appointment: Appointment) -> AppointmentCancelled:
    return AppointmentCancelled(
        appointment_id=appointment.appointment_id,
        order_id=appointment.order_id,
        sub_order_id=appointment.sub_order_id,
        start_date=appointment.window.start,
        end_date=appointment.window.end,
    )


async def stage(conn: asyncpg.Connection, event: Event, transaction_id: str | None) -> None:
    """Publish `event` if the caller's transaction commits (CloudEvents source `/services/appointment`)."""
    await add_event(conn, event, transaction_id=transaction_id, source_service=SOURCE_SERVICE)
