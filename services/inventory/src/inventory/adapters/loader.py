"""Bulk loading of typed foundation records: each chunk of rows is bound as column arrays and
upserted by one set-based statement (`unnest`; the service's role may not create tables outside
its schema, temporary ones included). Runs inside the caller's transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any, Final

import asyncpg

from inventory.domain.records import Kind, RecordError

CHUNK_ROWS: Final = 50_000

_SQL_TYPES: Final = {
    "item": "text",
    "description": "text",
    "item_type": "text",
    "standard_uom": "text",
    "sellable": "boolean",
    "customer_orderable": "boolean",
    "pack_item": "text",
    "component_item": "text",
    "quantity": "numeric",
    "uom": "text",
    "factor": "numeric",
    "location": "bigint",
    "location_type": "text",
    "name": "text",
    "virtual": "boolean",
    "stockholding": "boolean",
    "franchise": "boolean",
    "customer_order_location": "boolean",
    "physical_warehouse": "bigint",
    "channel_id": "integer",
    "primary_virtual": "boolean",
    "supplier": "bigint",
    "primary_supplier": "boolean",
    "status": "text",
    "stock_on_hand": "numeric",
    "transfer_reserved": "numeric",
    "customer_reserved": "numeric",
    "rtv": "numeric",
    "non_sellable": "numeric",
    "backorder": "numeric",
}
_STAMPED: Final = frozenset({"items", "locations", "suppliers", "stock"})
"""Tables with an `updated_at` column."""

_STOCK_DEFAULTS: Final = {"status": "'A'"}


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class FoundationLoader:
    """Loads kinds of records on one connection inside an open transaction."""

    def __init__(self, conn: asyncpg.Connection, *, keep_existing_stock: bool = False) -> None:
        """`keep_existing_stock`: stock records only create missing rows (the demo set: loading it
        again keeps what happened to its stock since)."""
        if not conn.is_in_transaction():
            raise RuntimeError("FoundationLoader needs an open transaction (a load is all or nothing)")
        self._conn = conn
        self._keep_existing_stock = keep_existing_stock

    async def load(self, kind: Kind, rows: Iterable[tuple[Any, ...]]) -> int:
        if kind.name == "reservations":
            return await self._load_reservations(rows)
        count = 0
        for chunk in _chunks(rows, CHUNK_ROWS):
            arrays = [list(column) for column in zip(*chunk, strict=True)]
            if kind.table == "stock":
                await self._merge_stock(kind, arrays)
            else:
                await self._replace(kind, arrays)
            count += len(chunk)
        return count

    @staticmethod
    def _latest(kind: Kind) -> str:
        """The chunk as a relation, the last record of each key winning."""
        names = kind.column_names()
        arrays = ", ".join(f"${n}::{_SQL_TYPES[name]}[]" for n, name in enumerate(names, start=1))
        key = ", ".join(kind.key)
        aliases = ", ".join(names)
        return (
            f"(SELECT DISTINCT ON ({key}) * FROM unnest({arrays}) WITH ORDINALITY AS u({aliases}, ord) "
            f"ORDER BY {key}, ord DESC)"
        )

    async def _replace(self, kind: Kind, arrays: list[list[Any]]) -> None:
        columns = ", ".join(kind.column_names())
        updates = [
            f"{column} = EXCLUDED.{column}" for column in kind.column_names() if column not in kind.key
        ]
        if kind.table in _STAMPED:
            updates.append("updated_at = now()")
        action = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
        await self._conn.execute(
            f"INSERT INTO {kind.table} ({columns}) SELECT {columns} FROM {self._latest(kind)} t "
            f"ON CONFLICT ({', '.join(kind.key)}) {action}",
            *arrays,
        )

    async def _merge_stock(self, kind: Kind, arrays: list[list[Any]]) -> None:
        """Buckets a record leaves out keep their stored value (zero on a new row)."""
        values = [column for column in kind.column_names() if column not in kind.key]
        sets = ", ".join(f"{column} = COALESCE(t.{column}, s.{column})" for column in values)
        inserted = ", ".join(f"COALESCE(t.{column}, {_STOCK_DEFAULTS.get(column, '0')})" for column in values)
        update = (
            "updated AS (SELECT NULL::text AS item, NULL::bigint AS location WHERE false)"
            if self._keep_existing_stock
            else f"updated AS (UPDATE stock s SET {sets}, updated_at = now() FROM t "
            "WHERE s.item = t.item AND s.location = t.location RETURNING s.item, s.location)"
        )
        await self._conn.execute(
            f"WITH t AS {self._latest(kind)}, {update} "
            f"INSERT INTO stock (item, location, {', '.join(values)}) "
            f"SELECT t.item, t.location, {inserted} FROM t "
            "WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.item = t.item AND u.location = t.location) "
            "ON CONFLICT (item, location) DO NOTHING",
            *arrays,
        )
        misplaced = await self._conn.fetch(
            "SELECT t.item, t.location FROM unnest($1::text[], $2::bigint[]) AS t(item, location) "
            "JOIN locations l ON l.location = t.location WHERE NOT l.stockholding LIMIT 5",
            arrays[0],
            arrays[1],
        )
        if misplaced:
            pairs = ", ".join(f"{row['item']}@{row['location']}" for row in misplaced)
            raise RecordError(f"stock at locations that hold no stock (e.g. {pairs})")

    async def _load_reservations(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Confirmed reservation lines, created once and reserving their quantity (no events)."""
        created = 0
        for customer_order_no, fulfill_order_no, item, location, item_line_no, quantity in rows:
            reservation_id = await self._conn.fetchval(
                """
                INSERT INTO reservations (reservation_id, customer_order_no, fulfill_order_no)
                VALUES (gen_random_uuid(), $1, $2)
                ON CONFLICT (customer_order_no, fulfill_order_no) DO UPDATE SET updated_at = now()
                RETURNING reservation_id
                """,
                customer_order_no,
                fulfill_order_no,
            )
            uom = await self._conn.fetchval("SELECT standard_uom FROM items WHERE item = $1", item)
            if uom is None:
                raise RecordError(f"reservation of {customer_order_no}/{fulfill_order_no}: no item {item}")
            line_id = await self._conn.fetchval(
                """
                INSERT INTO reservation_lines (
                    reservation_id, item, location, item_line_no, uom, requested_quantity, quantity, status)
                VALUES ($1, $2, $3, $4, $5, $6, $6, 'CONFIRMED')
                ON CONFLICT (reservation_id, item, (COALESCE(item_line_no, -1))) DO NOTHING
                RETURNING line_id
                """,
                reservation_id,
                item,
                location,
                item_line_no,
                uom,
                quantity,
            )
            if line_id is None:
                continue
            await self._reserve(item, location, quantity, customer_order_no, fulfill_order_no)
            created += 1
        return created

    async def _reserve(
        self, item: str, location: int, quantity: Decimal, order: str, fulfillment: str
    ) -> None:
        reserved = await self._conn.fetchval(
            """
            UPDATE stock SET customer_reserved = customer_reserved + $3, updated_at = now()
            WHERE item = $1 AND location = $2 AND available >= $3
            RETURNING customer_reserved
            """,
            item,
            location,
            quantity,
        )
        if reserved is None:
            raise RecordError(
                f"reservation of {order}/{fulfillment}: item {item} at location {location} has less "
                f"than {quantity} available (or is not ranged there)"
            )

    async def check_integrity(self) -> None:
        """Rules across records that the tables' constraints cannot state."""
        problems = await self._conn.fetch(
            """
            SELECT 'virtual warehouse ' || v.location || ' belongs to ' || v.physical_warehouse
                   || ', which is not a physical warehouse' AS problem
            FROM locations v JOIN locations p ON p.location = v.physical_warehouse
            WHERE p.location_type <> 'W' OR p.physical_warehouse IS NOT NULL
            UNION ALL
            SELECT 'pack component of ' || c.pack_item || ', a ' || i.item_type || ' item, not a pack'
            FROM pack_components c JOIN items i ON i.item = c.pack_item
            WHERE i.item_type <> 'PACK'
            LIMIT 10
            """
        )
        if problems:
            raise RecordError("; ".join(row["problem"] for row in problems))
