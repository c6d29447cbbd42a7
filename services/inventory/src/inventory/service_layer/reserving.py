"""Reserve (try): hold stock for lines of a fulfillment order. Idempotent by fulfillment order
and line (item + itemLineNo): a line already known is not reserved again (a HELD one gets the new
expiry, an EXPIRED one is held again), so a retried request changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.catalog import load_catalog
from inventory.adapters.reservations import NewLine, Reservation
from inventory.adapters.stock import StockChange, StockKey
from inventory.domain.catalog import Catalog
from inventory.domain.holds import (
    LineStatus,
    NotReservedReason,
    Outcome,
    ReservationLine,
    held,
    outcome,
    refreshed,
)
from inventory.domain.reservability import reservable_quantity
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import inventory_reserved
from inventory.service_layer.hold_changes import share_grants
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


@dataclass
class _Application:
    """What reserving does to each requested line, collected before anything is written."""

    expires_at: datetime
    blocked: bool
    results: list[LineResult] = field(default_factory=list)
    changed: list[ReservationLine] = field(default_factory=list)
    new_lines: list[tuple[int, NewLine]] = field(default_factory=list)
    reserved: list[tuple[ReservationLine, Decimal]] = field(default_factory=list)

    def apply(self, decision: _Decision, share: Decimal, grant: stock.Grant | None) -> None:
        available = None if grant is None else grant.available
        existing = decision.existing
        if decision.kind is _Kind.REFRESH and existing is not None:
            line = refreshed(existing, self.expires_at)
            self.changed.append(line)
            self.results.append(LineResult(decision.requested, line))
        elif decision.kind is _Kind.KEEP:
            self.results.append(LineResult(decision.requested, existing))
        elif share <= 0:
            reason = _not_reserved_reason(decision, grant, self.blocked)
            self.results.append(LineResult(decision.requested, existing, reason, available))
        elif decision.kind is _Kind.REVIVE and existing is not None:
            line = held(existing, share, LineStatus.HELD, self.expires_at)
            self.changed.append(line)
            self.reserved.append((line, share))
            self.results.append(LineResult(decision.requested, line, None, available))
        else:
            self.new_lines.append((len(self.results), self._new_line(decision, share)))
            self.results.append(LineResult(decision.requested, None, None, available))

    def _new_line(self, decision: _Decision, share: Decimal) -> NewLine:
        requested = decision.requested
        return NewLine(
            item=requested.item,
            location=requested.location,
            item_line_no=requested.item_line_no,
            uom=decision.uom,
            requested_quantity=decision.quantity,
            quantity=share,
            status=LineStatus.HELD,
            expires_at=self.expires_at,
        )

    def inserted(self, lines: Sequence[ReservationLine]) -> None:
        for (position, _), line in zip(self.new_lines, lines, strict=True):
            previous = self.results[position]
            self.results[position] = LineResult(previous.requested, line, None, previous.available)
            self.reserved.append((line, line.quantity))


async def _hold_stock(
    conn: asyncpg.Connection, decisions: Sequence[_Decision], *, partial: bool, blocked: bool
) -> tuple[dict[int, Decimal], dict[StockKey, stock.Grant]]:
    """One statement for every line that wants stock; what each got (by position) and the grants."""
    wanting = [position for position, decision in enumerate(decisions) if decision.wants_stock]
    wanted = [(decisions[position].stock_key, decisions[position].quantity) for position in wanting]
    grants = await stock.change_customer_reserved(
        conn,
        [StockChange(item, location, quantity) for (item, location), quantity in wanted],
        partial=partial,
        blocked=blocked,
    )
    return dict(zip(wanting, share_grants(wanted, grants), strict=True)), grants


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
    existing = await reservation_store.lines_of(conn, [reservation.reservation_id], lock=True)
    by_key = {line.key: line for line in existing[reservation.reservation_id]}
    catalog = await load_catalog(
        conn, {line.item for line in command.lines}, {line.location for line in command.lines}
    )
    decisions = [_decide(line, by_key.get(line.key), catalog) for line in command.lines]
    blocked = not command.partial and any(d.kind is _Kind.INVALID for d in decisions)
    shares, grants = await _hold_stock(conn, decisions, partial=command.partial, blocked=blocked)
    application = _Application(reservation.now + timedelta(seconds=command.hold_seconds), blocked)
    for position, decision in enumerate(decisions):
        application.apply(decision, shares.get(position, Decimal(0)), grants.get(decision.stock_key))
    await reservation_store.save_lines(conn, application.changed)
    application.inserted(
        await reservation_store.insert_lines(
            conn, reservation.reservation_id, [line for _, line in application.new_lines]
        )
    )
    event = inventory_reserved(reservation, application.reserved)
    if event is not None:
        await add_event(conn, event, transaction_id=transaction_id)
    results = application.results
    asked = [_wanted(result, decision) for result, decision in zip(results, decisions, strict=True)]
    held_now = [Decimal(0) if result.line is None else result.line.quantity for result in results]
    return ReserveResult(reservation, outcome(asked, held_now), results)


def _wanted(result: LineResult, decision: _Decision) -> Decimal:
    """What the line asks for, in the standard unit of measure where it is known."""
    if result.line is not None:
        return result.line.requested_quantity
    return decision.quantity if decision.kind is _Kind.NEW else result.requested.quantity
