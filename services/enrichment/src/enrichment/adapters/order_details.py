"""Everything stored about some orders, read in a few queries (summary, submit, status)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import asyncpg

from enrichment.domain.status import OrderStatus
from enrichment.domain.steps import Step


@dataclass(frozen=True)
class ItemRow:
    order_item_id: str
    item: str
    quantity: int
    order_item_type: str | None


@dataclass(frozen=True)
class StepRecord:
    data: dict[str, Any]
    completed_at: datetime
    trace_id: str | None


@dataclass
class SubOrderDetails:
    sub_order_id: str
    site_address: dict[str, Any]
    items: list[ItemRow] = field(default_factory=list)
    steps: dict[Step, StepRecord] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryRow:
    from_status: OrderStatus | None
    to_status: OrderStatus
    reason: str
    changed_at: datetime
    trace_id: str | None


@dataclass
class OrderDetails:
    order_id: str
    contract_id: str
    quote_id: str
    external_order_id: str | None
    cdg_id: str | None
    source: str | None
    environment: str
    status: OrderStatus
    created_at: datetime
    updated_at: datetime
    customer: dict[str, Any] | None
    contacts: dict[str, Any] | None
    sub_orders: list[SubOrderDetails] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)

    @property
    def sub_order_ids(self) -> list[str]:
        return [sub_order.sub_order_id for sub_order in self.sub_orders]


async def load_details(conn: asyncpg.Connection, order_ids: Sequence[str]) -> list[OrderDetails]:
    """The orders (in the given order) with their sub-orders, items, steps and status history."""
    identifiers = [uuid.UUID(order_id) for order_id in order_ids]
    order_rows = await conn.fetch(
        """
        SELECT order_id::text, contract_id::text, quote_id, external_order_id, cdg_id::text, source,
               environment, status, created_at, updated_at, customer, contacts
        FROM orders WHERE order_id = ANY($1::uuid[])
        """,
        identifiers,
    )
    orders = {row["order_id"]: OrderDetails(**dict(row)) for row in order_rows}
    sub_orders: dict[str, SubOrderDetails] = {}
    for row in await conn.fetch(
        """
        SELECT order_id::text, sub_order_id::text, site_address FROM sub_orders
        WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, position
        """,
        identifiers,
    ):
        sub_order = SubOrderDetails(row["sub_order_id"], row["site_address"])
        sub_orders[sub_order.sub_order_id] = sub_order
        orders[row["order_id"]].sub_orders.append(sub_order)
    for row in await conn.fetch(
        """
        SELECT i.sub_order_id::text, i.order_item_id::text, i.item, i.quantity, i.order_item_type
        FROM order_items i JOIN sub_orders s ON s.sub_order_id = i.sub_order_id
        WHERE s.order_id = ANY($1::uuid[]) ORDER BY i.sub_order_id, i.position
        """,
        identifiers,
    ):
        sub_orders[row["sub_order_id"]].items.append(
            ItemRow(row["order_item_id"], row["item"], row["quantity"], row["order_item_type"])
        )
    for row in await conn.fetch(
        """
        SELECT st.sub_order_id::text, st.step, st.data, st.completed_at, st.trace_id
        FROM sub_order_steps st JOIN sub_orders s ON s.sub_order_id = st.sub_order_id
        WHERE s.order_id = ANY($1::uuid[])
        """,
        identifiers,
    ):
        sub_orders[row["sub_order_id"]].steps[Step(row["step"])] = StepRecord(
            row["data"], row["completed_at"], row["trace_id"]
        )
    for row in await conn.fetch(
        """
        SELECT order_id::text, from_status, to_status, reason, changed_at, trace_id
        FROM order_status_history WHERE order_id = ANY($1::uuid[]) ORDER BY id
        """,
        identifiers,
    ):
        orders[row["order_id"]].history.append(
            HistoryRow(
                cast(OrderStatus | None, row["from_status"]),
                cast(OrderStatus, row["to_status"]),
                row["reason"],
                row["changed_at"],
                row["trace_id"],
            )
        )
    return [orders[order_id] for order_id in order_ids if order_id in orders]
