"""The sub-order read model: what appointment knows of enrichment's sub-orders."""

from datetime import date
from typing import Any

import asyncpg


async def upsert_created(
    conn: asyncpg.Connection,
    *,
    sub_order_id: str,
    order_id: str,
    sp_id: str,
    environment: str,
    site_address: dict[str, Any],
) -> None:
    await conn.execute(
        """
        INSERT INTO sub_orders (sub_order_id, order_id, sp_id, environment, site_address)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (sub_order_id) DO NOTHING
        """,
        sub_order_id,
        order_id,
        sp_id,
        environment,
        site_address,
    )


async def record_installation(
    conn: asyncpg.Connection,
    *,
    sub_order_id: str,
    site_address: dict[str, Any] | None,
    requested_start: date | None,
    requested_due: date | None,
) -> bool:
    """Mark installation complete with its dates; False when the sub-order is unknown here."""
    status: str = await conn.execute(
        """
        UPDATE sub_orders
           SET installation_complete = true,
               site_address = coalesce($2, site_address),
               requested_start = $3,
               requested_due = $4,
               updated_at = now()
         WHERE sub_order_id = $1
        """,
        sub_order_id,
        site_address,
        requested_start,
        requested_due,
    )
    return status != "UPDATE 0"
