"""Sub-orders and their enrichment steps (installation, shipping, billing)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from enrichment.domain.steps import Step


@dataclass(frozen=True)
class SubOrderRecord:
    sub_order_id: str
    order_id: str
    site_address: dict[str, Any]
    item_ids: tuple[str, ...]


async def load_sub_order(
    conn: asyncpg.Connection, order_id: uuid.UUID, sub_order_id: uuid.UUID
) -> SubOrderRecord | None:
    row = await conn.fetchrow(
        """
        SELECT s.sub_order_id::text, s.order_id::text, s.site_address,
               ARRAY(SELECT i.order_item_id::text FROM order_items i
                     WHERE i.sub_order_id = s.sub_order_id ORDER BY i.position) AS item_ids
        FROM sub_orders s WHERE s.sub_order_id = $1 AND s.order_id = $2
        """,
        sub_order_id,
        order_id,
    )
    if row is None:
        return None
    return SubOrderRecord(row["sub_order_id"], row["order_id"], row["site_address"], tuple(row["item_ids"]))


async def save_step(
    conn: asyncpg.Connection,
    order_id: str,
    sub_order_id: str,
    step: Step,
    data: dict[str, Any],
    trace_id: str | None,
) -> None:
    """Complete the step with `data` (doing it again replaces the data) and move the order's
    `updated_at`: one statement, one round trip."""
    await conn.execute(
        """
        WITH saved AS (
            INSERT INTO sub_order_steps (sub_order_id, step, data, trace_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sub_order_id, step)
            DO UPDATE SET data = excluded.data, trace_id = excluded.trace_id, completed_at = now()
        )
        UPDATE orders SET updated_at = now() WHERE order_id = $5
        """,
        uuid.UUID(sub_order_id),
        step.value,
        data,
        trace_id,
        uuid.UUID(order_id),
    )


async def step_data(conn: asyncpg.Connection, sub_order_id: str, step: Step) -> dict[str, Any] | None:
    data: dict[str, Any] | None = await conn.fetchval(
        "SELECT data FROM sub_order_steps WHERE sub_order_id = $1 AND step = $2",
        uuid.UUID(sub_order_id),
        step.value,
    )
    return data


async def completed_steps(conn: asyncpg.Connection, order_ids: Sequence[str]) -> dict[str, set[Step]]:
    """Every sub-order of the orders -> the enrichment steps it completed (maybe none)."""
    rows = await conn.fetch(
        """
        SELECT s.sub_order_id::text AS sub_order_id, st.step
        FROM sub_orders s LEFT JOIN sub_order_steps st ON st.sub_order_id = s.sub_order_id
        WHERE s.order_id = ANY($1::uuid[])
        """,
        [uuid.UUID(order_id) for order_id in order_ids],
    )
    steps: dict[str, set[Step]] = {}
    for row in rows:
        completed = steps.setdefault(row["sub_order_id"], set())
        if row["step"] is not None:
            completed.add(Step(row["step"]))
    return steps
