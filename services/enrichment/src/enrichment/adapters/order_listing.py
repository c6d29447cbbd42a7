"""Paging through a tenant's orders, newest first, with optional filters."""

from dataclasses import dataclass

import asyncpg

from enrichment.service_layer.context import Tenant


@dataclass(frozen=True)
class OrderPage:
    total: int
    order_ids: list[str]


async def list_order_ids(
    conn: asyncpg.Connection,
    tenant: Tenant,
    *,
    external_order_id: str | None,
    status: str | None,
    offset: int,
    limit: int,
) -> OrderPage:
    rows = await conn.fetch(
        """
        SELECT order_id::text, count(*) OVER () AS total
        FROM orders
        WHERE sp_id = $1 AND environment = $2
          AND ($3::text IS NULL OR external_order_id = $3)
          AND ($4::text IS NULL OR status = $4)
        ORDER BY created_at DESC, order_id DESC
        OFFSET $5 LIMIT $6
        """,
        tenant.sp_id,
        tenant.environment,
        external_order_id,
        status,
        offset,
        limit,
    )
    if rows:
        return OrderPage(rows[0]["total"], [row["order_id"] for row in rows])
    total: int = await conn.fetchval(
        """
        SELECT count(*) FROM orders WHERE sp_id = $1 AND environment = $2
          AND ($3::text IS NULL OR external_order_id = $3) AND ($4::text IS NULL OR status = $4)
        """,
        tenant.sp_id,
        tenant.environment,
        external_order_id,
        status,
    )
    return OrderPage(total, [])
