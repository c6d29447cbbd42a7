"""Fulfillment orders and their lines in PostgreSQL (schema `fulfillment`)."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg

from fulfillment.domain.lines import ConfirmationType, Line, LineKey
from fulfillment.domain.sourcing import Kind

OrderKey = tuple[str, str]
"""(customerOrderNo, fulfillOrderNo)."""


@dataclass
class StoredOrder:
    fulfillment_order_id: int
    customer_order_no: str
    fulfill_order_no: str
    kind: Kind
    source_location_type: str | None
    source_location: int | None
    hold_location: int | None
    fulfill_location: int
    partial_delivery_ind: str
    confirmation_type: ConfirmationType
    confirmation_no: int | None
    reservation_id: str | None
    order_id: str | None
    sub_order_id: str | None
    lines: list[Line] = field(default_factory=list)
    line_ids: dict[LineKey, int] = field(default_factory=dict)

    @property
    def key(self) -> OrderKey:
        return (self.customer_order_no, self.fulfill_order_no)


@dataclass(frozen=True)
class NewOrder:
    customer_order_no: str
    fulfill_order_no: str
    kind: Kind
    source_location_type: str | None
    source_location: int | None
    hold_location: int | None
    fulfill_location_type: str | None
    fulfill_location: int
    partial_delivery_ind: str
    header: dict[str, Any]
    """delivery_type, carrier_code, ... (the other columns), customer_details as a dict or None."""
    order_id: str | None = None
    sub_order_id: str | None = None


@dataclass(frozen=True)
class NewLine:
    line: Line
    transaction_uom: str | None = None
    substitute_ind: str | None = None
    unit_retail: Decimal | None = None
    retail_currency: str | None = None
    comments: str | None = None
    substitute_for: LineKey | None = None


_ORDER_COLUMNS = """
    fulfillment_order_id, customer_order_no, fulfill_order_no, kind, source_location_type, source_location,
    hold_location, fulfill_location, partial_delivery_ind, confirmation_type, confirmation_no, reservation_id,
    order_id, sub_order_id
"""


def _order(row: asyncpg.Record) -> StoredOrder:
    return StoredOrder(
        fulfillment_order_id=row["fulfillment_order_id"],
        customer_order_no=row["customer_order_no"],
        fulfill_order_no=row["fulfill_order_no"],
        kind=Kind(row["kind"]),
        source_location_type=row["source_location_type"],
        source_location=row["source_location"],
        hold_location=row["hold_location"],
        fulfill_location=row["fulfill_location"],
        partial_delivery_ind=row["partial_delivery_ind"],
        confirmation_type=row["confirmation_type"],
        confirmation_no=row["confirmation_no"],
        reservation_id=row["reservation_id"],
        order_id=row["order_id"],
        sub_order_id=row["sub_order_id"],
    )


async def load_orders(
    conn: asyncpg.Connection | asyncpg.Pool, keys: Sequence[OrderKey], *, lock: bool
) -> dict[OrderKey, StoredOrder]:
    """The known fulfillment orders among `keys`, with their lines (two queries)."""
    if not keys:
        return {}
    rows = await conn.fetch(
        f"""
        SELECT {_ORDER_COLUMNS} FROM fulfillment_orders
        WHERE (customer_order_no, fulfill_order_no) IN (
            SELECT * FROM unnest($1::text[], $2::text[]))
        ORDER BY fulfillment_order_id
        {"FOR UPDATE" if lock else ""}
        """,
        [key[0] for key in keys],
        [key[1] for key in keys],
    )
    orders = {(row["customer_order_no"], row["fulfill_order_no"]): _order(row) for row in rows}
    by_id = {order.fulfillment_order_id: order for order in orders.values()}
    if not by_id:
        return orders
    lines = await conn.fetch(
        """
        SELECT line_id, fulfillment_order_id, item, reference_item, item_line_no, uom,
               ordered_quantity, confirmed_quantity, cancelled_quantity
        FROM fulfillment_order_lines WHERE fulfillment_order_id = ANY($1::bigint[])
        ORDER BY line_id
        """,
        list(by_id),
    )
    for row in lines:
        order = by_id[row["fulfillment_order_id"]]
        line = Line(
            item=row["item"],
            item_line_no=row["item_line_no"],
            ordered=row["ordered_quantity"],
            confirmed=row["confirmed_quantity"],
            uom=row["uom"],
            cancelled=row["cancelled_quantity"],
            reference_item=row["reference_item"],
        )
        order.lines.append(line)
        order.line_ids[line.key] = row["line_id"]
    return orders


async def insert_order(conn: asyncpg.Connection, order: NewOrder) -> None:
    """Insert unless the fulfillment order exists (a concurrent create of the same one)."""
    header = order.header
    details = header.get("customer_details")
    await conn.execute(
        """
        INSERT INTO fulfillment_orders (
            customer_order_no, fulfill_order_no, order_id, sub_order_id, kind, source_location_type,
            source_location, hold_location, fulfill_location_type, fulfill_location, partial_delivery_ind,
            delivery_type, carrier_code, carrier_service_code, consumer_delivery_date, consumer_delivery_time,
            delivery_charges, delivery_charges_currency, comments, order_placed_store, customer_details,
            confirmation_type)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21::text::jsonb, 'X')
        ON CONFLICT (customer_order_no, fulfill_order_no) DO NOTHING
        """,
        order.customer_order_no,
        order.fulfill_order_no,
        order.order_id,
        order.sub_order_id,
        order.kind.value,
        order.source_location_type,
        order.source_location,
        order.hold_location,
        order.fulfill_location_type,
        order.fulfill_location,
        order.partial_delivery_ind,
        header.get("delivery_type"),
        header.get("carrier_code"),
        header.get("carrier_service_code"),
        header["consumer_delivery_date"],
        header.get("consumer_delivery_time"),
        header.get("delivery_charges"),
        header.get("delivery_charges_currency"),
        header.get("comments"),
        header.get("order_placed_store"),
        None if details is None else json.dumps(details),
    )


async def insert_lines(conn: asyncpg.Connection, order: StoredOrder, lines: Sequence[NewLine]) -> list[Line]:
    """Insert lines the order does not have yet; returns those inserted."""
    inserted: list[Line] = []
    for new in lines:
        line = new.line
        substitute_for = None if new.substitute_for is None else order.line_ids.get(new.substitute_for)
        line_id = await conn.fetchval(
            """
            INSERT INTO fulfillment_order_lines (
                fulfillment_order_id, item, reference_item, item_line_no, uom, transaction_uom,
                ordered_quantity, confirmed_quantity, substitute_ind, unit_retail, retail_currency, comments,
                substitute_for_line_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT ON CONSTRAINT one_line_per_item_and_number DO NOTHING
            RETURNING line_id
            """,
            order.fulfillment_order_id,
            line.item,
            line.reference_item,
            line.item_line_no,
            line.uom,
            new.transaction_uom,
            line.ordered,
            line.confirmed,
            new.substitute_ind,
            new.unit_retail,
            new.retail_currency,
            new.comments,
            substitute_for,
        )
        if line_id is not None:
            order.lines.append(line)
            order.line_ids[line.key] = line_id
            inserted.append(line)
    return inserted


async def save_confirmation(conn: asyncpg.Connection, order: StoredOrder) -> None:
    await conn.execute(
        """
        UPDATE fulfillment_orders
        SET confirmation_type = $2, confirmation_no = $3, reservation_id = $4, updated_at = now()
        WHERE fulfillment_order_id = $1
        """,
        order.fulfillment_order_id,
        order.confirmation_type,
        order.confirmation_no,
        order.reservation_id,
    )


async def next_confirmation_no(conn: asyncpg.Connection) -> int:
    value: int = await conn.fetchval("SELECT nextval('confirmation_numbers')")
    return value


async def add_cancelled(
    conn: asyncpg.Connection, order: StoredOrder, quantities: Sequence[tuple[LineKey, Decimal]]
) -> None:
    await conn.executemany(
        """
        UPDATE fulfillment_order_lines SET cancelled_quantity = cancelled_quantity + $2
        WHERE line_id = $1
        """,
        [(order.line_ids[key], quantity) for key, quantity in quantities],
    )
