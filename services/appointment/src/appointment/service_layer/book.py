"""Book Service Appointment Date/Time: take one offered window for a sub-order, or move its
appointment there (the old window is released in the same transaction)."""

import uuid

import asyncpg

from appointment.adapters import appointments, slots, sub_orders
from appointment.domain.appointment import Appointment
from appointment.domain.booking import BookingPlan, plan_booking, unavailable_message
from appointment.domain.errors import NotFoundError, SlotUnavailableError
from appointment.domain.windows import Window
from appointment.service_layer import events
from appointment.service_layer.context import RequestContext
from appointment.service_layer.offers import another_window, territory_of_site
from appointment.service_layer.ports import SubOrderDirectory
from appointment.service_layer.rules import AppointmentRules
from appointment.service_layer.sub_order_lookup import known_sub_order


async def _take(conn: asyncpg.Connection, new_slot_id: int, old_slot_id: int | None) -> bool:
    """Take a place in the new slot and give back the old one. Slots are locked in ascending id
    order, so two moves crossing each other's windows never deadlock. False: the new slot is full."""
    if old_slot_id is not None and old_slot_id < new_slot_id:
        await slots.release(conn, old_slot_id)
        return await slots.take(conn, new_slot_id)
    if not await slots.take(conn, new_slot_id):
        return False
    if old_slot_id is not None:
        await slots.release(conn, old_slot_id)
    return True


async def book_appointment(
    pool: asyncpg.Pool,
    directory: SubOrderDirectory,
    rules: AppointmentRules,
    context: RequestContext,
    order_id: str,
    sub_order_id: str,
    window: Window,
) -> Appointment:
    await known_sub_order(pool, directory, context, sub_order_id)  # the read model has it from here on
    async with pool.acquire() as conn, conn.transaction():
        sub_order = await sub_orders.lock(conn, sub_order_id)  # one booking of a sub-order at a time
        if sub_order is None:
            raise NotFoundError("Sub-order", sub_order_id)
        sub_order.check_visible_to(context.tenant, order_id)
        requested = sub_order.requested_dates()
        territory = territory_of_site(rules, context, sub_order)
        now = rules.local_now()

        current = await appointments.confirmed_of(conn, sub_order_id)
        plan = plan_booking(current.appointment if current else None, window)
        if current is not None and plan is BookingPlan.KEEP:
            return current.appointment

        offered = rules.schedule.is_offered(window, requested, now)
        slot_id = await slots.slot_id_of(conn, territory.territory_id, window) if offered else None
        if slot_id is None or not await _take(conn, slot_id, current.slot_id if current else None):
            suggestion = await another_window(conn, rules, territory, requested, now, window)
            raise SlotUnavailableError(unavailable_message(window, suggestion, requested))

        if current is not None:
            released = current.appointment.cancelled()
            await appointments.save_state(conn, released)
            await events.stage(conn, events.cancelled(released), context.transaction_id)
        booked = Appointment.initialize(
            str(uuid.uuid4()), sub_order.order_id, sub_order_id, window
        ).confirmed()
        await appointments.insert(conn, booked, sub_order.tenant, slot_id)
        await events.stage(conn, events.booked(booked), context.transaction_id)
        return booked
