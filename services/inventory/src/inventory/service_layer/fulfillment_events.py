"""Fulfillment's events confirm or release the holds of a fulfillment order.

FulfillmentOrderCreated commits the fulfillment order: its HELD lines are confirmed (X: released;
a smaller confirmed quantity trims the line). FulfillmentOrderCancelled releases the cancelled
quantities (at most what is still open). A fulfillment order without a reservation (a purchase
order, a transfer) changes nothing here.
"""

from __future__ import annotations

import uuid

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters.reservations import Reservation
from inventory.domain.confirmations import ConfirmedQuantity
from inventory.domain.releases import ReleaseRequest, plan_release
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.hold_changes import apply_releases
from inventory.service_layer.reservations import confirm_lines
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import FulfillmentOrderCancelled, FulfillmentOrderCreated
from shared_contracts.events.fulfillment import FulfillmentEvent

CANCELLED = "CANCELLED"


async def _reservation_of(conn: asyncpg.Connection, event: FulfillmentEvent) -> Reservation | None:
    if event.reservation_id:
        try:
            found = await reservation_store.lock(conn, uuid.UUID(event.reservation_id))
        except ValueError:
            found = None
        if found is not None:
            return found
    by_order = await reservation_store.find_by_order(conn, event.customer_order_no, event.fulfill_order_no)
    return None if by_order is None else await reservation_store.lock(conn, by_order.reservation_id)


async def confirm_fulfillment_order(
    conn: asyncpg.Connection, event: FulfillmentOrderCreated, meta: CloudEventMeta, window: BatchWindow
) -> None:
    await window.ensure_writes_allowed(conn)
    reservation = await _reservation_of(conn, event)
    if reservation is None:
        return
    lines = (await reservation_store.lines_of(conn, [reservation.reservation_id], lock=True))[
        reservation.reservation_id
    ]
    details = [
        ConfirmedQuantity(detail.item, detail.item_line_no, detail.confirmed_quantity)
        for detail in event.details
    ]
    await confirm_lines(
        conn, reservation, lines, event.confirmation_type, details, transaction_id=meta.transaction_id
    )


async def cancel_fulfillment_order(
    conn: asyncpg.Connection, event: FulfillmentOrderCancelled, meta: CloudEventMeta, window: BatchWindow
) -> bool:
    """Release what the cancellation names; whether anything was released."""
    await window.ensure_writes_allowed(conn)
    reservation = await _reservation_of(conn, event)
    if reservation is None:
        return False
    lines = (await reservation_store.lines_of(conn, [reservation.reservation_id], lock=True))[
        reservation.reservation_id
    ]
    requests = [
        ReleaseRequest(detail.item, detail.item_line_no, detail.cancelled_quantity)
        for detail in event.details
    ]
    plan = plan_release(lines, requests, strict=False)
    changed = await apply_releases(conn, reservation, plan, CANCELLED, transaction_id=meta.transaction_id)
    return bool(changed)
