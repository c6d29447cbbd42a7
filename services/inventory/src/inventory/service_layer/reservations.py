"""Holds for fulfillment orders: reserve (try), confirm, release. Idempotent by fulfillment order
and line (item + itemLineNo): a line already known is not reserved again (a HELD one gets the new
expiry, an EXPIRED one is held again), so a retried request changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.catalog import load_catalog
from inventory.adapters.reservations import NewLine, Reservation
from inventory.adapters.stock import StockChange, StockKey
from inventory.domain.catalog import Catalog
from inventory.domain.confirmations import ConfirmedQuantity, plan_confirmation
from inventory.domain.errors import NotFoundError
from inventory.domain.holds import (
    LineStatus,
    NotReservedReason,
    Outcome,
    ReservationLine,
    confirmed,
    held,
    outcome,
    refreshed,
    released,
)
from inventory.domain.releases import ReleaseRequest, plan_release, release_everything
from inventory.domain.reservability import reservable_quantity
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import inventory_released, inventory_reserved
from inventory.service_layer.holds import apply_releases, share_grants
from shared_messaging import add_event


@dataclass(frozen=True)
class RequestedLine:
    item: str
    location: int
    quantity: Decimal
    uom: str | None = None
    item_line_no: int | None = None

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.item, self.item_line_no)


@dataclass(frozen=True)
class ReserveCommand:
    customer_order_no: str
    fulfill_order_no: str
    lines: Sequence[RequestedLine]
    hold_seconds: int
    partial: bool
    """True: each line takes what is available; False: every line in full, or nothing."""


@dataclass(frozen=True)
class LineResult:
    requested: RequestedLine
    line: ReservationLine | None
    """The stored line; None when a new line got nothing (nothing is stored for it)."""
    reason: NotReservedReason | None = None
    available: Decimal | None = None
    """Available at the line's item/location before this request, where it was looked at."""


@dataclass(frozen=True)
class ReserveResult:
    reservation: Reservation
    outcome: Outcome
    lines: list[LineResult]


@dataclass(frozen=True)
class ReservationView:
    reservation: Reservation
    lines: list[ReservationLine]


class _Kind(Enum):
    NEW = "new"
    REVIVE = "revive"
    REFRESH = "refresh"
    KEEP = "keep"
    INVALID = "invalid"


@dataclass(frozen=True)
class _Decision:
    requested: RequestedLine
    kind: _Kind
    existing: ReservationLine | None = None
    quantity: Decimal = Decimal(0)
    uom: str = ""
    reason: NotReservedReason | None = None

    @property
    def stock_key(self) -> StockKey:
        location = self.existing.location if self.existing is not None else self.requested.location
        return (self.requested.item, location)

    @property
    def wants_stock(self) -> bool:
        return self.kind in (_Kind.NEW, _Kind.REVIVE)


def _decide(requested: RequestedLine, existing: ReservationLine | None, catalog: Catalog) -> _Decision:
    if existing is not None:
        if existing.status is LineStatus.HELD:
            return _Decision(requested, _Kind.REFRESH, existing)
        if existing.status is LineStatus.EXPIRED:
            return _Decision(requested, _Kind.REVIVE, existing, existing.requested_quantity, existing.uom)
        return _Decision(requested, _Kind.KEEP, existing)
    found = reservable_quantity(
        catalog, requested.item, requested.location, requested.quantity, requested.uom
    )
    if isinstance(found, NotReservedReason):
        return _Decision(requested, _Kind.INVALID, reason=found)
    quantity, uom = found
    return _Decision(requested, _Kind.NEW, quantity=quantity, uom=uom)


def _not_reserved_reason(decision: _Decision, grant: stock.Grant | None, blocked: bool) -> NotReservedReason:
    if decision.reason is not None:
        return decision.reason
    if grant is None or grant.available is None:
        return NotReservedReason.NOT_RANGED
    if blocked or grant.available >= decision.quantity:
        return NotReservedReason.ALL_OR_NOTHING
    return NotReservedReason.INSUFFICIENT_INVENTORY


async def reserve(
    conn: asyncpg.Connection,
    command: ReserveCommand,
    window: BatchWindow,
    *,
    transaction_id: str | None = None,
) -> ReserveResult:
    await window.ensure_writes_allowed(conn)
    reservation = await reservation_store.lock_or_create(
        conn, command.customer_order_no, command.fulfill_order_no
    )
    existing = (await reservation_store.lines_of(conn, [reservation.reservation_id], lock=True))[
        reservation.reservation_id
    ]
    by_key = {line.key: line for line in existing}
    catalog = await load_catalog(
        conn, {line.item for line in command.lines}, {line.location for line in command.lines}
    )
    decisions = [_decide(line, by_key.get(line.key), catalog) for line in command.lines]
    blocked = not command.partial and any(d.kind is _Kind.INVALID for d in decisions)
    wanting = [position for position, decision in enumerate(decisions) if decision.wants_stock]
    wanted = [(decisions[position].stock_key, decisions[position].quantity) for position in wanting]
    grants = await stock.change_customer_reserved(
        conn,
        [StockChange(item, location, quantity) for (item, location), quantity in wanted],
        partial=command.partial,
        blocked=blocked,
    )
    shares = dict(zip(wanting, share_grants(wanted, grants), strict=True))
    expires_at = reservation.now + timedelta(seconds=command.hold_seconds)
    results: list[LineResult | None] = [None] * len(decisions)
    changed: list[ReservationLine] = []
    reserved_now: list[tuple[ReservationLine, Decimal]] = []
    new_lines: list[tuple[int, NewLine]] = []
    for position, decision in enumerate(decisions):
        grant = grants.get(decision.stock_key)
        available = None if grant is None else grant.available
        share = shares.get(position, Decimal(0))
        if decision.kind is _Kind.REFRESH and decision.existing is not None:
            line = refreshed(decision.existing, expires_at)
            changed.append(line)
            results[position] = LineResult(decision.requested, line)
        elif decision.kind is _Kind.KEEP:
            results[position] = LineResult(decision.requested, decision.existing)
        elif decision.kind is _Kind.REVIVE and decision.existing is not None:
            line = decision.existing
            if share > 0:
                line = held(line, share, LineStatus.HELD, expires_at)
                changed.append(line)
                reserved_now.append((line, share))
            reason = None if share > 0 else _not_reserved_reason(decision, grant, blocked)
            results[position] = LineResult(decision.requested, line, reason, available)
        elif share > 0:
            new_lines.append(
                (
                    position,
                    NewLine(
                        item=decision.requested.item,
                        location=decision.requested.location,
                        item_line_no=decision.requested.item_line_no,
                        uom=decision.uom,
                        requested_quantity=decision.quantity,
                        quantity=share,
                        status=LineStatus.HELD,
                        expires_at=expires_at,
                    ),
                )
            )
            results[position] = LineResult(decision.requested, None, None, available)
        else:
            reason = _not_reserved_reason(decision, grant, blocked)
            results[position] = LineResult(decision.requested, None, reason, available)
    await reservation_store.save_lines(conn, changed)
    inserted = await reservation_store.insert_lines(
        conn, reservation.reservation_id, [line for _, line in new_lines]
    )
    for (position, _), line in zip(new_lines, inserted, strict=True):
        previous = results[position]
        assert previous is not None
        results[position] = LineResult(previous.requested, line, None, previous.available)
        reserved_now.append((line, line.quantity))
    event = inventory_reserved(reservation, reserved_now)
    if event is not None:
        await add_event(conn, event, transaction_id=transaction_id)
    final = [result for result in results if result is not None]
    asked = [_wanted(result, decision) for result, decision in zip(final, decisions, strict=True)]
    held_now = [Decimal(0) if result.line is None else result.line.quantity for result in final]
    return ReserveResult(reservation, outcome(asked, held_now), final)


def _wanted(result: LineResult, decision: _Decision) -> Decimal:
    """What the line asks for, in the standard unit of measure where it is known."""
    if result.line is not None:
        return result.line.requested_quantity
    return decision.quantity if decision.kind is _Kind.NEW else result.requested.quantity


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
