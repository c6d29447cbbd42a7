"""Reservations and their lines. Whoever changes a reservation locks its row first, then its lines,
then stock rows: one lock order everywhere (the sweeper skips locked lines instead of waiting)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from inventory.domain.holds import LineStatus, ReservationLine


@dataclass(frozen=True)
class Reservation:
    reservation_id: uuid.UUID
    customer_order_no: str
    fulfill_order_no: str
    now: datetime
    """The database clock at the time of the lock (hold expiries are computed from it)."""


@dataclass(frozen=True)
class NewLine:
    item: str
    location: int
    item_line_no: int | None
    uom: str
    requested_quantity: Decimal
    quantity: Decimal
    status: LineStatus
    expires_at: datetime | None
    substitute_for_line_id: int | None = None


@dataclass(frozen=True)
class ExpiredLine:
    reservation: Reservation
    line: ReservationLine
    quantity: Decimal
    """What the line held until it expired."""


_LINE_COLUMNS = """
line_id, item, location, item_line_no, uom, requested_quantity, quantity, released_quantity,
expired_quantity, status, expires_at, substitute_for_line_id
"""

_UPSERT = """
INSERT INTO reservations (reservation_id, customer_order_no, fulfill_order_no)
VALUES ($1, $2, $3)
ON CONFLICT (customer_order_no, fulfill_order_no) DO UPDATE SET updated_at = now()
RETURNING reservation_id, customer_order_no, fulfill_order_no, now() AS now
"""

_LOCK_BY_ID = """
SELECT reservation_id, customer_order_no, fulfill_order_no, now() AS now
FROM reservations WHERE reservation_id = $1 FOR UPDATE
"""

_LOCK_BY_ORDERS = """
SELECT r.reservation_id, r.customer_order_no, r.fulfill_order_no, now() AS now
FROM reservations r
JOIN unnest($1::text[], $2::text[]) AS o(customer_order_no, fulfill_order_no)
    USING (customer_order_no, fulfill_order_no)
ORDER BY r.reservation_id
FOR UPDATE OF r
"""

_FIND_BY_ORDER = """
SELECT reservation_id, customer_order_no, fulfill_order_no, now() AS now
FROM reservations WHERE customer_order_no = $1 AND fulfill_order_no = $2
"""

_FIND_BY_ID = """
SELECT reservation_id, customer_order_no, fulfill_order_no, now() AS now
FROM reservations WHERE reservation_id = $1
"""

_LINES = f"""
SELECT reservation_id, {_LINE_COLUMNS} FROM reservation_lines
WHERE reservation_id = ANY($1::uuid[]) ORDER BY line_id
"""

_INSERT_LINES = f"""
INSERT INTO reservation_lines (
    reservation_id, item, location, item_line_no, uom, requested_quantity, quantity, status, expires_at,
    substitute_for_line_id)
SELECT $1, * FROM unnest(
    $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::numeric[], $7::numeric[], $8::text[],
    $9::timestamptz[], $10::bigint[])
RETURNING {_LINE_COLUMNS}
"""

_UPDATE_LINES = """
UPDATE reservation_lines l
SET quantity = u.quantity, released_quantity = u.released_quantity, expired_quantity = u.expired_quantity,
    status = u.status, expires_at = u.expires_at, updated_at = now()
FROM unnest($1::bigint[], $2::numeric[], $3::numeric[], $4::numeric[], $5::text[], $6::timestamptz[])
    AS u(line_id, quantity, released_quantity, expired_quantity, status, expires_at)
WHERE l.line_id = u.line_id
"""

_EXPIRE_DUE = """
WITH due AS (
    SELECT line_id FROM reservation_lines
    WHERE status = 'HELD' AND expires_at <= now()
    ORDER BY expires_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE reservation_lines l
SET status = 'EXPIRED', expired_quantity = l.quantity, quantity = 0, expires_at = NULL, updated_at = now()
FROM due, reservations r
WHERE l.line_id = due.line_id AND r.reservation_id = l.reservation_id
RETURNING r.reservation_id, r.customer_order_no, r.fulfill_order_no, now() AS now,
    l.line_id, l.item, l.location, l.item_line_no, l.uom, l.requested_quantity, l.quantity,
    l.released_quantity, l.expired_quantity, l.status, l.expires_at, l.substitute_for_line_id
"""

_CLAIM_RELEASE = """
INSERT INTO reservation_releases (reservation_id, release_id) VALUES ($1, $2) ON CONFLICT DO NOTHING
"""


def _reservation(row: asyncpg.Record) -> Reservation:
    return Reservation(row["reservation_id"], row["customer_order_no"], row["fulfill_order_no"], row["now"])


def line_from(row: asyncpg.Record) -> ReservationLine:
    return ReservationLine(
        line_id=row["line_id"],
        item=row["item"],
        location=row["location"],
        item_line_no=row["item_line_no"],
        uom=row["uom"],
        requested_quantity=row["requested_quantity"],
        quantity=row["quantity"],
        released_quantity=row["released_quantity"],
        expired_quantity=row["expired_quantity"],
        status=LineStatus(row["status"]),
        expires_at=row["expires_at"],
        substitute_for_line_id=row["substitute_for_line_id"],
    )


async def lock_or_create(
    conn: asyncpg.Connection, customer_order_no: str, fulfill_order_no: str
) -> Reservation:
    row = await conn.fetchrow(_UPSERT, uuid.uuid4(), customer_order_no, fulfill_order_no)
    return _reservation(row)


async def lock(conn: asyncpg.Connection, reservation_id: uuid.UUID) -> Reservation | None:
    row = await conn.fetchrow(_LOCK_BY_ID, reservation_id)
    return None if row is None else _reservation(row)


async def lock_orders(conn: asyncpg.Connection, orders: Collection[tuple[str, str]]) -> list[Reservation]:
    ordered = sorted(orders)
    rows = await conn.fetch(_LOCK_BY_ORDERS, [order[0] for order in ordered], [order[1] for order in ordered])
    return [_reservation(row) for row in rows]


async def find_by_order(
    conn: asyncpg.Connection | asyncpg.Pool, customer_order_no: str, fulfill_order_no: str
) -> Reservation | None:
    row = await conn.fetchrow(_FIND_BY_ORDER, customer_order_no, fulfill_order_no)
    return None if row is None else _reservation(row)


async def find_by_id(
    conn: asyncpg.Connection | asyncpg.Pool, reservation_id: uuid.UUID
) -> Reservation | None:
    row = await conn.fetchrow(_FIND_BY_ID, reservation_id)
    return None if row is None else _reservation(row)


async def lines_of(
    conn: asyncpg.Connection | asyncpg.Pool, reservation_ids: Collection[uuid.UUID], *, lock: bool
) -> dict[uuid.UUID, list[ReservationLine]]:
    """The lines of each reservation, oldest first; `lock`: FOR UPDATE (inside a transaction)."""
    query = _LINES + (" FOR UPDATE" if lock else "")
    rows = await conn.fetch(query, list(reservation_ids))
    found: dict[uuid.UUID, list[ReservationLine]] = {reservation_id: [] for reservation_id in reservation_ids}
    for row in rows:
        found[row["reservation_id"]].append(line_from(row))
    return found


async def insert_lines(
    conn: asyncpg.Connection, reservation_id: uuid.UUID, lines: Sequence[NewLine]
) -> list[ReservationLine]:
    if not lines:
        return []
    rows = await conn.fetch(
        _INSERT_LINES,
        reservation_id,
        [line.item for line in lines],
        [line.location for line in lines],
        [line.item_line_no for line in lines],
        [line.uom for line in lines],
        [line.requested_quantity for line in lines],
        [line.quantity for line in lines],
        [line.status.value for line in lines],
        [line.expires_at for line in lines],
        [line.substitute_for_line_id for line in lines],
    )
    return [line_from(row) for row in rows]


async def save_lines(conn: asyncpg.Connection, lines: Sequence[ReservationLine]) -> None:
    """Store the quantities, status and expiry of `lines` (changed by the domain's transitions)."""
    if not lines:
        return
    await conn.execute(
        _UPDATE_LINES,
        [line.line_id for line in lines],
        [line.quantity for line in lines],
        [line.released_quantity for line in lines],
        [line.expired_quantity for line in lines],
        [line.status.value for line in lines],
        [line.expires_at for line in lines],
    )


async def expire_due(conn: asyncpg.Connection, limit: int) -> list[ExpiredLine]:
    """Mark up to `limit` HELD lines past their expiry EXPIRED; lines another sweeper holds are
    skipped, so each expired line is taken by exactly one sweeper."""
    rows = await conn.fetch(_EXPIRE_DUE, limit)
    return [
        ExpiredLine(
            _reservation(row),
            line_from(row),
            row["expired_quantity"],
        )
        for row in rows
    ]


async def claim_release(conn: asyncpg.Connection, reservation_id: uuid.UUID, release_id: str) -> bool:
    """True the first time `release_id` is used on the reservation."""
    status: str = await conn.execute(_CLAIM_RELEASE, reservation_id, release_id)
    return status == "INSERT 0 1"
