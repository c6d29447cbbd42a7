"""Stock buckets. Every change is one conditional UPDATE whose WHERE clause proves it allowed, never
a read followed by a write; the table's CHECK constraints are the last line of defence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

StockKey = tuple[str, int]
"""(item, location)"""

_ADJUST_BACKORDER = """
UPDATE stock SET backorder = backorder + $3, updated_at = now()
WHERE item = $1 AND location = $2 AND backorder + $3 >= 0
RETURNING backorder
"""

# Reserve (positive quantities) or release (negative) customer reserved stock of several
# item/locations at once. Rows are locked in (item, location) order so that concurrent callers
# never deadlock. Positive changes need `available >= quantity` (or, when partial, take what is
# there); all-or-nothing callers change nothing unless every positive change fits.
_CHANGE_CUSTOMER_RESERVED = """
WITH wanted AS (
    SELECT item, location, sum(quantity) AS quantity
    FROM unnest($1::text[], $2::bigint[], $3::numeric[]) AS w(item, location, quantity)
    GROUP BY item, location
),
locked AS (
    SELECT s.item, s.location, s.available
    FROM stock s
    JOIN wanted w ON w.item = s.item AND w.location = s.location
    ORDER BY s.item, s.location
    FOR UPDATE OF s
),
granted AS (
    SELECT w.item, w.location, l.available, w.quantity AS wanted,
           CASE WHEN l.item IS NULL THEN 0
                WHEN w.quantity <= 0 THEN w.quantity
                WHEN $4 THEN LEAST(w.quantity, GREATEST(l.available, 0))
                WHEN l.available >= w.quantity THEN w.quantity
                ELSE 0 END AS quantity,
           l.item IS NOT NULL AND (w.quantity <= 0 OR l.available >= w.quantity) AS complete
    FROM wanted w
    LEFT JOIN locked l ON l.item = w.item AND l.location = w.location
),
decision AS (
    SELECT $4 OR (NOT $5 AND bool_and(complete)) AS apply FROM granted
),
changed AS (
    UPDATE stock s
    SET customer_reserved = s.customer_reserved + g.quantity, updated_at = now()
    FROM granted g, decision d
    WHERE d.apply AND g.quantity <> 0 AND s.item = g.item AND s.location = g.location
        AND (g.quantity < 0 OR s.available >= g.quantity)
    RETURNING s.item, s.location
)
SELECT g.item, g.location, g.available, g.quantity,
       c.item IS NOT NULL OR (g.wanted = 0 AND d.apply) AS applied
FROM granted g
CROSS JOIN decision d
LEFT JOIN changed c ON c.item = g.item AND c.location = g.location
"""

_RECEIVE = """
INSERT INTO stock AS s (item, location, stock_on_hand)
SELECT $1::text, l.location, $3::numeric
FROM locations l
WHERE l.location = $2 AND l.stockholding AND $3::numeric >= 0
ON CONFLICT (item, location) DO UPDATE
SET stock_on_hand = s.stock_on_hand + EXCLUDED.stock_on_hand, updated_at = now()
RETURNING s.stock_on_hand
"""

_ISSUE = """
UPDATE stock SET stock_on_hand = stock_on_hand + $3, updated_at = now()
WHERE item = $1 AND location = $2 AND stock_on_hand + $3 >= 0 AND available + $3 >= 0
RETURNING stock_on_hand
"""

_BUCKETS = """
SELECT item, location, status, stock_on_hand, transfer_reserved, customer_reserved, rtv, non_sellable,
       backorder, available
FROM stock WHERE item = $1 AND location = $2
"""


@dataclass(frozen=True)
class StockChange:
    item: str
    location: int
    quantity: Decimal
    """Positive: reserve; negative: release."""

    @property
    def key(self) -> StockKey:
        return (self.item, self.location)


@dataclass(frozen=True)
class Grant:
    available: Decimal | None
    """Available before the change; None when the item is not ranged at the location."""
    quantity: Decimal
    """What the change reserved (negative: released)."""
    applied: bool


@dataclass(frozen=True)
class Buckets:
    item: str
    location: int
    status: str
    stock_on_hand: Decimal
    transfer_reserved: Decimal
    customer_reserved: Decimal
    rtv: Decimal
    non_sellable: Decimal
    backorder: Decimal
    available: Decimal


async def adjust_backorder(
    conn: asyncpg.Connection, item: str, location: int, change: Decimal
) -> Decimal | None:
    """The new backorder total, or None when the row is missing or the total would go below zero."""
    total: Decimal | None = await conn.fetchval(_ADJUST_BACKORDER, item, location, change)
    return total


async def change_customer_reserved(
    conn: asyncpg.Connection,
    changes: Sequence[StockChange],
    *,
    partial: bool,
    blocked: bool = False,
) -> dict[StockKey, Grant]:
    """Apply `changes` (summed per item/location) in one statement.

    `partial`: each positive change takes what is available, up to its quantity. Otherwise
    all-or-nothing: nothing changes unless every positive change fits, and nothing at all when
    `blocked` (the caller found another line it cannot reserve).
    """
    if not changes:
        return {}
    rows = await conn.fetch(
        _CHANGE_CUSTOMER_RESERVED,
        [change.item for change in changes],
        [change.location for change in changes],
        [change.quantity for change in changes],
        partial,
        blocked,
    )
    return {
        (row["item"], row["location"]): Grant(
            row["available"], row["quantity"] if row["applied"] else Decimal(0), row["applied"]
        )
        for row in rows
    }


async def change_stock_on_hand(
    conn: asyncpg.Connection, item: str, location: int, quantity: Decimal
) -> Decimal | None:
    """Receive (positive; ranges the item at a stockholding location when needed) or issue
    (negative; never below what is reserved). The new stock on hand, or None when refused."""
    statement = _RECEIVE if quantity >= 0 else _ISSUE
    total: Decimal | None = await conn.fetchval(statement, item, location, quantity)
    return total


async def buckets(conn: asyncpg.Connection | asyncpg.Pool, item: str, location: int) -> Buckets | None:
    row = await conn.fetchrow(_BUCKETS, item, location)
    return None if row is None else Buckets(**dict(row))


async def backorder_of(conn: asyncpg.Connection, item: str, location: int) -> Decimal | None:
    found = await buckets(conn, item, location)
    return None if found is None else found.backorder
