"""The sub-order read model: what appointment knows of enrichment's sub-orders."""

from datetime import date
from typing import Any

import asyncpg

from appointment.domain.schedule import RequestedDates
from appointment.domain.sub_order import SubOrder, Tenant
from shared_contracts.sandbox import Address


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


async def upsert_installation(
    conn: asyncpg.Connection,
    *,
    sub_order_id: str,
    order_id: str,
    sp_id: str,
    environment: str,
    site_address: dict[str, Any],
    requested_start: date | None,
    requested_due: date | None,
) -> None:
    """The sub-order with installation complete: inserted, or its installation data replaced."""
    await conn.execute(
        """
        INSERT INTO sub_orders (sub_order_id, order_id, sp_id, environment, site_address,
                                installation_complete, requested_start, requested_due)
        VALUES ($1, $2, $3, $4, $5, true, $6, $7)
        ON CONFLICT (sub_order_id) DO UPDATE
           SET installation_complete = true,
               site_address = EXCLUDED.site_address,
               requested_start = EXCLUDED.requested_start,
               requested_due = EXCLUDED.requested_due,
               updated_at = now()
        """,
        sub_order_id,
        order_id,
        sp_id,
        environment,
        site_address,
        requested_start,
        requested_due,
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


_COLUMNS = """
    sub_order_id, order_id, sp_id, environment, site_address, installation_complete,
    requested_start, requested_due
"""


def _sub_order(row: asyncpg.Record) -> SubOrder:
    requested = (
        RequestedDates(row["requested_start"], row["requested_due"])
        if row["installation_complete"] and row["requested_start"] and row["requested_due"]
        else None
    )
    return SubOrder(
        sub_order_id=row["sub_order_id"],
        order_id=row["order_id"],
        tenant=Tenant(row["sp_id"], row["environment"]),
        site_address=Address.from_json(row["site_address"]),
        requested=requested,
    )


async def fetch(conn: asyncpg.Connection | asyncpg.Pool, sub_order_id: str) -> SubOrder | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM sub_orders WHERE sub_order_id = $1", sub_order_id)
    return None if row is None else _sub_order(row)


async def lock(conn: asyncpg.Connection, sub_order_id: str) -> SubOrder | None:
    """The sub-order, locked until the transaction ends: bookings of one sub-order run one at a time."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM sub_orders WHERE sub_order_id = $1 FOR UPDATE", sub_order_id
    )
    return None if row is None else _sub_order(row)
