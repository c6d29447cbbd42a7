"""Finding the caller's order and sub-order inside a use case's transaction (404 for anyone else's)."""

import asyncpg

from enrichment.adapters import orders_repository, steps_repository
from enrichment.adapters.steps_repository import SubOrderRecord
from enrichment.domain.errors import NotFoundError
from enrichment.domain.order import Order
from enrichment.service_layer.context import Tenant, as_uuid


async def tenant_order(
    conn: asyncpg.Connection, tenant: Tenant, order_id: str, *, lock: bool = True
) -> Order:
    identifier = as_uuid(order_id)
    order = (
        None
        if identifier is None
        else await orders_repository.load_order(conn, tenant, identifier, lock=lock)
    )
    if order is None:
        raise NotFoundError("Order", order_id)
    return order


async def open_order(conn: asyncpg.Connection, tenant: Tenant, order_id: str) -> Order:
    """The caller's order, locked, still DRAFT (else 409: it can no longer be changed)."""
    order = await tenant_order(conn, tenant, order_id)
    order.ensure_open()
    return order


async def sub_order_of(conn: asyncpg.Connection, order: Order, sub_order_id: str) -> SubOrderRecord:
    identifier = as_uuid(sub_order_id)
    order_identifier = as_uuid(order.order_id)
    if identifier is None or order_identifier is None:
        raise NotFoundError("Sub-order", sub_order_id)
    sub_order = await steps_repository.load_sub_order(conn, order_identifier, identifier)
    if sub_order is None:
        raise NotFoundError("Sub-order", sub_order_id)
    return sub_order
