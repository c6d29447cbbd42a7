"""Read model of the appointment service's bookings (fed by appointments.appointment.v1).

A booking is keyed by its appointment id. A cancellation is final: a late or repeated
AppointmentBooked of a cancelled appointment does not bring it back.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

BookingStatus = Literal["CONFIRMED", "CANCELLED"]


@dataclass(frozen=True)
class Booking:
    appointment_id: str
    order_id: str
    sub_order_id: str
    status: BookingStatus
    start_date: datetime
    end_date: datetime


def _wall_clock(moment: datetime) -> datetime:
    """Appointment times are the site's local wall clock; a zone given with them is dropped."""
    return moment.replace(tzinfo=None)


async def record_booking(conn: asyncpg.Connection, booking: Booking) -> None:
    await conn.execute(
        """
        INSERT INTO appointment_bookings
            (appointment_id, order_id, sub_order_id, status, start_date, end_date)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (appointment_id) DO UPDATE
        SET status = excluded.status, start_date = excluded.start_date, end_date = excluded.end_date,
            order_id = excluded.order_id, sub_order_id = excluded.sub_order_id, updated_at = now()
        WHERE appointment_bookings.status = 'CONFIRMED'
        """,
        booking.appointment_id,
        booking.order_id,
        booking.sub_order_id,
        booking.status,
        _wall_clock(booking.start_date),
        _wall_clock(booking.end_date),
    )


async def current_bookings(conn: asyncpg.Connection, sub_order_ids: Sequence[str]) -> dict[str, Booking]:
    """Per sub-order: its latest confirmed booking, else its latest cancelled one."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT ON (sub_order_id)
               appointment_id, order_id, sub_order_id, status, start_date, end_date
        FROM appointment_bookings
        WHERE sub_order_id = ANY($1::text[])
        ORDER BY sub_order_id, status = 'CONFIRMED' DESC, updated_at DESC
        """,
        list(sub_order_ids),
    )
    return {
        row["sub_order_id"]: Booking(
            row["appointment_id"],
            row["order_id"],
            row["sub_order_id"],
            row["status"],
            row["start_date"],
            row["end_date"],
        )
        for row in rows
    }


def confirmed(bookings: dict[str, Booking]) -> dict[str, Booking]:
    return {
        sub_order_id: booking for sub_order_id, booking in bookings.items() if booking.status == "CONFIRMED"
    }
