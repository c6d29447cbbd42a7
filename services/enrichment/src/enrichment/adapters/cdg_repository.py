"""Customer Defined Groups: a tenant's named set of orders."""

import uuid
from dataclasses import dataclass

import asyncpg

from enrichment.service_layer.context import Tenant


@dataclass(frozen=True)
class Cdg:
    cdg_id: str
    name: str


async def insert_cdg(
    conn: asyncpg.Connection, tenant: Tenant, cdg_id: uuid.UUID, name: str, trace_id: str | None
) -> None:
    await conn.execute(
        "INSERT INTO cdgs (cdg_id, sp_id, environment, name, trace_id) VALUES ($1, $2, $3, $4, $5)",
        cdg_id,
        tenant.sp_id,
        tenant.environment,
        name,
        trace_id,
    )


async def load_cdg(conn: asyncpg.Connection, tenant: Tenant, cdg_id: uuid.UUID, *, lock: bool) -> Cdg | None:
    """The tenant's group (locked when `lock`, so concurrent additions and submits take turns)."""
    row = await conn.fetchrow(
        f"""
        SELECT cdg_id::text, name FROM cdgs WHERE cdg_id = $1 AND sp_id = $2 AND environment = $3
        {"FOR UPDATE" if lock else ""}
        """,
        cdg_id,
        tenant.sp_id,
        tenant.environment,
    )
    return None if row is None else Cdg(row["cdg_id"], row["name"])


async def member_order_ids(conn: asyncpg.Connection, cdg_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT order_id::text FROM orders WHERE cdg_id = $1 ORDER BY created_at, order_id", cdg_id
    )
    return [row["order_id"] for row in rows]
