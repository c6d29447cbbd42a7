"""One sub-order with its order's tenant and its installation data (the appointment service asks)."""

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class SubOrderFacts:
    order_id: str
    sub_order_id: str
    sp_id: str
    environment: str
    order_status: str
    site_address: dict[str, Any]
    installation: dict[str, Any] | None


async def load_sub_order_facts(conn: asyncpg.Connection, sub_order_id: uuid.UUID) -> SubOrderFacts | None:
    row = await conn.fetchrow(
        """
        SELECT o.order_id::text, s.sub_order_id::text, o.sp_id, o.environment, o.status AS order_status,
               s.site_address, st.data AS installation
        FROM sub_orders s
        JOIN orders o ON o.order_id = s.order_id
        LEFT JOIN sub_order_steps st ON st.sub_order_id = s.sub_order_id AND st.step = 'INSTALLATION'
        WHERE s.sub_order_id = $1
        """,
        sub_order_id,
    )
    return None if row is None else SubOrderFacts(**dict(row))
