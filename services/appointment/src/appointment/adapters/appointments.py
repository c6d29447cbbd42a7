"""Stored appointments: one row per booking, its window's slot and its TMF646 state."""

from dataclasses import dataclass
from typing import TypeAlias

import asyncpg

from appointment.domain.appointment import Appointment
from appointment.domain.states import AppointmentState
from appointment.domain.sub_order import Tenant
from appointment.domain.windows import Window

Executor: TypeAlias = asyncpg.Connection | asyncpg.Pool

_COLUMNS = "appointment_id, order_id, sub_order_id, sp_id, environment, slot_id, start_at, end_at, status"


@dataclass(frozen=True)
class StoredAppointment:
    appointment: Appointment
    tenant: Tenant
    slot_id: int


def _stored(row: asyncpg.Record) -> StoredAppointment:
    return StoredAppointment(
        appointment=Appointment(
            appointment_id=row["appointment_id"],
            order_id=row["order_id"],
            sub_order_id=row["sub_order_id"],
            window=Window(row["start_at"], row["end_at"]),
            state=AppointmentState(row["status"]),
        ),
        tenant=Tenant(row["sp_id"], row["environment"]),
        slot_id=row["slot_id"],
    )


async def confirmed_of(conn: Executor, sub_order_id: str) -> StoredAppointment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM appointments WHERE sub_order_id = $1 AND status = 'confirmed'",
        sub_order_id,
    )
    return None if row is None else _stored(row)


async def find(conn: Executor, appointment_id: str) -> StoredAppointment | None:
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM appointments WHERE appointment_id = $1", appointment_id
    )
    return None if row is None else _stored(row)


async def insert(conn: asyncpg.Connection, appointment: Appointment, tenant: Tenant, slot_id: int) -> None:
    await conn.execute(
        f"""
        INSERT INTO appointments ({_COLUMNS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        appointment.appointment_id,
        appointment.order_id,
        appointment.sub_order_id,
        tenant.sp_id,
        tenant.environment,
        slot_id,
        appointment.window.start,
        appointment.window.end,
        appointment.state.value,
    )


async def save_state(conn: asyncpg.Connection, appointment: Appointment) -> None:
    await conn.execute(
        "UPDATE appointments SET status = $2, updated_at = now() WHERE appointment_id = $1",
        appointment.appointment_id,
        appointment.state.value,
    )
