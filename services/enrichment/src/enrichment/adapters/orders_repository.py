"""Orders, sub-orders, items and status history: the write side of the order aggregate."""

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from enrichment.domain.order import Order
from enrichment.domain.status import OrderStatus, StatusChange
from enrichment.service_layer.context import RequestContext, Tenant
from shared_messaging.outbox import OutboxRow

_ORDER_COLUMNS = """
    o.order_id::text, o.sp_id, o.environment, o.status, o.quote_id, o.cdg_id::text,
    ARRAY(SELECT s.sub_order_id::text FROM sub_orders s WHERE s.order_id = o.order_id ORDER BY s.position)
        AS sub_order_ids
"""


def _order(row: asyncpg.Record) -> Order:
    return Order(
        order_id=row["order_id"],
        sp_id=row["sp_id"],
        environment=row["environment"],
        status=cast(OrderStatus, row["status"]),
        quote_id=row["quote_id"],
        cdg_id=row["cdg_id"],
        sub_order_ids=tuple(row["sub_order_ids"]),
    )


@dataclass(frozen=True)
class NewOrder:
    order_id: uuid.UUID
    contract_id: uuid.UUID
    quote_id: str
    external_order_id: str | None
    customer: dict[str, Any] | None
    contacts: dict[str, Any] | None


@dataclass(frozen=True)
class NewSubOrder:
    sub_order_id: uuid.UUID
    site_address: dict[str, Any]


@dataclass(frozen=True)
class NewItem:
    order_item_id: uuid.UUID
    sub_order_id: uuid.UUID
    position: int
    item: str
    quantity: int
    order_item_type: str | None


async def insert_order(
    conn: asyncpg.Connection,
    context: RequestContext,
    order: NewOrder,
    sub_orders: Sequence[NewSubOrder],
    items: Sequence[NewItem],
    created: StatusChange,
    event: OutboxRow | None = None,
) -> None:
    """The order, its sub-orders, their items and the first status history entry: one statement
    (one round trip; the foreign keys are checked at its end, when every row is in). With `event`,
    its outbox row goes in the same statement: run alone, without BEGIN / COMMIT, the statement is
    the whole transaction (the caller wakes the relay once it returned)."""
    params: list[object] = [
        order.order_id,
        order.contract_id,
        context.tenant.sp_id,
        context.tenant.environment,
        context.client_id,
        order.quote_id,
        order.external_order_id,
        context.source,
        context.transaction_id,
        order.customer,
        order.contacts,
        created.to_status,
        [sub_order.sub_order_id for sub_order in sub_orders],
        [json.dumps(sub_order.site_address) for sub_order in sub_orders],
        [item.order_item_id for item in items],
        [item.sub_order_id for item in items],
        [item.position for item in items],
        [item.item for item in items],
        [item.quantity for item in items],
        [item.order_item_type for item in items],
        created.from_status,
        created.reason,
        context.trace_id,
    ]
    # The outbox row's parameters follow the order's.
    with_event = "" if event is None else f"new_event AS ({event.insert(len(params) + 1)}),"
    await conn.execute(
        f"""
        WITH {with_event}
        new_order AS (
            INSERT INTO orders (order_id, contract_id, sp_id, environment, client_id, quote_id,
                                external_order_id, source, transaction_id, customer, contacts, status)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ),
        new_sub_orders AS (
            INSERT INTO sub_orders (sub_order_id, order_id, position, site_address)
            SELECT id, $1, position, address::jsonb
            FROM unnest($13::uuid[], $14::text[]) WITH ORDINALITY AS s(id, address, position)
        ),
        new_items AS (
            INSERT INTO order_items (order_item_id, sub_order_id, position, item, quantity, order_item_type)
            SELECT * FROM unnest($15::uuid[], $16::uuid[], $17::smallint[], $18::text[], $19::integer[],
                                 $20::text[])
        )
        INSERT INTO order_status_history (order_id, from_status, to_status, reason, trace_id)
        VALUES ($1, $21, $12, $22, $23)
        """,
        *params,
        *(() if event is None else event.values),
    )


async def load_order(
    conn: asyncpg.Connection, tenant: Tenant, order_id: uuid.UUID, *, lock: bool = True
) -> Order | None:
    """The tenant's order (locked for the rest of the transaction when `lock`); None for any other."""
    row = await conn.fetchrow(
        f"""
        SELECT {_ORDER_COLUMNS} FROM orders o
        WHERE o.order_id = $1 AND o.sp_id = $2 AND o.environment = $3
        {"FOR UPDATE OF o" if lock else ""}
        """,
        order_id,
        tenant.sp_id,
        tenant.environment,
    )
    return None if row is None else _order(row)


async def load_orders(
    conn: asyncpg.Connection, tenant: Tenant, order_ids: Sequence[uuid.UUID]
) -> dict[str, Order]:
    """The tenant's orders among `order_ids`, locked in id order (so concurrent callers cannot deadlock)."""
    rows = await conn.fetch(
        f"""
        SELECT {_ORDER_COLUMNS} FROM orders o
        WHERE o.order_id = ANY($1::uuid[]) AND o.sp_id = $2 AND o.environment = $3
        ORDER BY o.order_id
        FOR UPDATE OF o
        """,
        list(order_ids),
        tenant.sp_id,
        tenant.environment,
    )
    return {row["order_id"]: _order(row) for row in rows}


async def load_orders_of_cdg(conn: asyncpg.Connection, cdg_id: uuid.UUID) -> list[Order]:
    rows = await conn.fetch(
        f"""
        SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.cdg_id = $1
        ORDER BY o.order_id
        FOR UPDATE OF o
        """,
        cdg_id,
    )
    return [_order(row) for row in rows]


async def load_order_for_event(conn: asyncpg.Connection, order_id: uuid.UUID) -> Order | None:
    """Any tenant's order, locked: events name orders by id only."""
    row = await conn.fetchrow(
        f"SELECT {_ORDER_COLUMNS} FROM orders o WHERE o.order_id = $1 FOR UPDATE OF o", order_id
    )
    return None if row is None else _order(row)


async def record_status(
    conn: asyncpg.Connection, order_id: str, change: StatusChange, trace_id: str | None
) -> None:
    """Write the order's new status and the history entry (its creation's entry is `insert_order`'s)."""
    await conn.execute(
        "UPDATE orders SET status = $2, updated_at = now() WHERE order_id = $1",
        uuid.UUID(order_id),
        change.to_status,
    )
    await conn.execute(
        """
        INSERT INTO order_status_history (order_id, from_status, to_status, reason, trace_id)
        VALUES ($1, $2, $3, $4, $5)
        """,
        uuid.UUID(order_id),
        change.from_status,
        change.to_status,
        change.reason,
        trace_id,
    )


async def set_cdg(conn: asyncpg.Connection, order_ids: Sequence[str], cdg_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE orders SET cdg_id = $2, updated_at = now() WHERE order_id = ANY($1::uuid[])",
        [uuid.UUID(order_id) for order_id in order_ids],
        cdg_id,
    )
