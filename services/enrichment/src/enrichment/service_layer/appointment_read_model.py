"""The appointment read model, fed by AppointmentBooked and AppointmentCancelled."""

import asyncpg

from enrichment.adapters import appointments_repository
from enrichment.adapters.appointments_repository import Booking, BookingStatus
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import AppointmentBooked, AppointmentCancelled
from shared_contracts.events.appointments import AppointmentEvent


def _booking(event: AppointmentEvent, status: BookingStatus) -> Booking:
    return Booking(
        appointment_id=event.appointment_id,
        order_id=event.order_id,
        sub_order_id=event.sub_order_id,
        status=status,
        start_date=event.start_date,
        end_date=event.end_date,
    )


async def handle_appointment_booked(
    conn: asyncpg.Connection, event: AppointmentBooked, meta: CloudEventMeta
) -> None:
    await appointments_repository.record_booking(conn, _booking(event, "CONFIRMED"))


async def handle_appointment_cancelled(
    conn: asyncpg.Connection, event: AppointmentCancelled, meta: CloudEventMeta
) -> None:
    await appointments_repository.record_booking(conn, _booking(event, "CANCELLED"))
