"""Everything stored about some orders, read in one statement (summary, submit, status)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


_DETAILS = """
SELECT o.order_id::text, o.contract_id::text, o.quote_id, o.external_order_id, o.cdg_id::text, o.source,
       o.environment, o.status, o.created_at, o.updated_at, o.customer, o.contacts,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'sub_order_id', s.sub_order_id::text,
                      'site_address', s.site_address,
                      'items', COALESCE((
                          SELECT json_agg(json_build_object(
                                     'order_item_id', i.order_item_id::text, 'item', i.item,
                                     'quantity', i.quantity, 'order_item_type', i.order_item_type
                                 ) ORDER BY i.position)
                          FROM order_items i WHERE i.sub_order_id = s.sub_order_id
                      ), '[]'),
                      'steps', COALESCE((
                          SELECT json_agg(json_build_object(
                                     'step', st.step, 'data', st.data,
                                     'completed_at', st.completed_at, 'trace_id', st.trace_id
                                 ))
                          FROM sub_order_steps st WHERE st.sub_order_id = s.sub_order_id
                      ), '[]')
                  ) ORDER BY s.position)
           FROM sub_orders s WHERE s.order_id = o.order_id
       ), '[]') AS sub_orders,
       COALESCE((
           SELECT json_agg(json_build_object(
                      'from_status', h.from_status, 'to_status', h.to_status, 'reason', h.reason,
                      'changed_at', h.changed_at, 'trace_id', h.trace_id
                  ) ORDER BY h.id)
           FROM order_status_history h WHERE h.order_id = o.order_id
       ), '[]') AS history
FROM orders o WHERE o.order_id = ANY($1::uuid[])
"""


async def load_details(conn: asyncpg.Connection, order_ids: Sequence[str]) -> list[OrderDetails]:
    """The orders (in the given order) with their sub-orders, items, steps and status history,
    in one statement (one round trip: submit, summary and status all read these)."""
    rows = await conn.fetch(_DETAILS, [uuid.UUID(order_id) for order_id in order_ids])
    orders = {row["order_id"]: _order(row) for row in rows}
    return [orders[order_id] for order_id in order_ids if order_id in orders]


def _order(row: asyncpg.Record) -> OrderDetails:
    columns = dict(row)
    sub_orders, history = columns.pop("sub_orders"), columns.pop("history")
    return OrderDetails(
        **columns,
        sub_orders=[
            SubOrderDetails(
                sub_order["sub_order_id"],
                sub_order["site_address"],
                [ItemRow(**item) for item in sub_order["items"]],
                {Step(step["step"]): _step_record(step) for step in sub_order["steps"]},
            )
            for sub_order in sub_orders
        ],
        history=[
            HistoryRow(
                cast(OrderStatus | None, entry["from_status"]),
                cast(OrderStatus, entry["to_status"]),
                entry["reason"],
                _timestamp(entry["changed_at"]),
                entry["trace_id"],
            )
            for entry in history
        ],
    )


def _step_record(step: dict[str, Any]) -> StepRecord:
    return StepRecord(step["data"], _timestamp(step["completed_at"]), step["trace_id"])


def _timestamp(text: str) -> datetime:
    """A timestamptz as JSON writes it (the session's zone) -> an aware datetime in UTC, as asyncpg
    returns timestamptz columns."""
    return datetime.fromisoformat(text).astimezone(UTC)
