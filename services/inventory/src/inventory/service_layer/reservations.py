"""A fulfillment order's holds after the try: read, confirm (HELD -> CONFIRMED, X releases,
trims to confirmed quantities, expired lines held again), release."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.reservations import Reservation
from inventory.adapters.stock import StockChange, StockKey
from inventory.domain.confirmations import ConfirmedQuantity, plan_confirmation
from inventory.domain.errors import NotFoundError
from inventory.domain.holds import (
    LineStatus,
    ReservationLine,
    confirmed,
    held,
    released,
)
from inventory.domain.releases import ReleaseRequest, plan_release, release_everything
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import inventory_released, inventory_reserved
from inventory.service_layer.hold_changes import apply_releases, share_grants
from shared_messaging import add_event


@dataclass(frozen=True)
class ReservationView:
    reservation: Reservation
    lines: list[ReservationLine]


async def view(conn: asyncpg.Connection | asyncpg.Pool, reservation: Reservation) -> ReservationView:
    lines = await reservation_store.lines_of(conn, [reservation.reservation_id], lock=False)
    return ReservationView(reservation, lines[reservation.reservation_id])


async def _locked(
    conn: asyncpg.Connection, reservation_id: uuid.UUID
) -> tuple[Reservation, list[ReservationLine]]:
    reservation = await reservation_store.lock(conn, reservation_id)
    if reservation is None:
        raise NotFoundError(f"No reservation {reservation_id}")
    lines = await reservation_store.lines_of(conn, [reservation_id], lock=True)
    return reservation, lines[reservation_id]


async def confirm_lines(
    conn: asyncpg.Connection,
    reservation: Reservation,
    lines: Sequence[ReservationLine],
    confirmation_type: str,
    details: Sequence[ConfirmedQuantity],
    *,
    transaction_id: str | None,
) -> None:
    """Confirm HELD lines (X: release them), trim them to confirmed quantities, and hold again
    lines that expired before the confirmation came, where the stock is still there."""
    plan = plan_confirmation(lines, confirmation_type, details)
    releases = [release for release in plan.releases if release.quantity > 0]
    released_at: dict[StockKey, Decimal] = {}
    for release in releases:
        key = (release.line.item, release.line.location)
        released_at[key] = released_at.get(key, Decimal(0)) + release.quantity
    changes = [StockChange(r.line.item, r.line.location, -r.quantity) for r in releases] + [
        StockChange(r.line.item, r.line.location, r.quantity) for r in plan.revivals
    ]
    grants = await stock.change_customer_reserved(conn, changes, partial=True)
    shares = share_grants(
        [((r.line.item, r.line.location), r.quantity) for r in plan.revivals], grants, released_at
    )
    current = {line.line_id: line for line in lines}
    for release in releases:
        current[release.line.line_id] = released(current[release.line.line_id], release.quantity)
    for line in plan.confirm:
        if current[line.line_id].status is LineStatus.HELD:
            current[line.line_id] = confirmed(current[line.line_id])
    revived = []
    for revival, share in zip(plan.revivals, shares, strict=True):
        if share > 0:
            current[revival.line.line_id] = held(revival.line, share, LineStatus.CONFIRMED, None)
            revived.append((current[revival.line.line_id], share))
    touched = (
        {r.line.line_id for r in releases}
        | {line.line_id for line in plan.confirm}
        | {line.line_id for line, _ in revived}
    )
    await reservation_store.save_lines(conn, [current[line_id] for line_id in sorted(touched)])
    reason = "NOT_CONFIRMED" if confirmation_type == "X" else "CONFIRMED_LESS"
    released_event = inventory_released(reservation, [(r.line, r.quantity) for r in releases], reason)
    if released_event is not None:
        await add_event(conn, released_event, transaction_id=transaction_id)
    reserved_event = inventory_reserved(reservation, revived)
    if reserved_event is not None:
        await add_event(conn, reserved_event, transaction_id=transaction_id)


async def confirm(
    conn: asyncpg.Connection, reservation_id: uuid.UUID, window: BatchWindow
) -> ReservationView:
    await window.ensure_writes_allowed(conn)
    reservation, lines = await _locked(conn, reservation_id)
    await confirm_lines(conn, reservation, lines, "C", (), transaction_id=None)
    return await view(conn, reservation)


async def release(
    conn: asyncpg.Connection,
    reservation_id: uuid.UUID,
    window: BatchWindow,
    *,
    requests: Sequence[ReleaseRequest] | None,
    reason: str,
    release_id: str | None,
) -> ReservationView:
    """Release the named quantities (more than is open: `BusinessRuleError`), or every open line.
    With a `release_id`, repeating the same release changes nothing."""
    await window.ensure_writes_allowed(conn)
    reservation, lines = await _locked(conn, reservation_id)
    if release_id is not None and not await reservation_store.claim_release(conn, reservation_id, release_id):
        return await view(conn, reservation)
    plan = release_everything(lines) if requests is None else plan_release(lines, requests, strict=True)
    await apply_releases(conn, reservation, plan, reason, transaction_id=None)
    return await view(conn, reservation)
