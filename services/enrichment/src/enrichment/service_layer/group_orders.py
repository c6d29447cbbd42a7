"""CDG enrichment: create a Customer Defined Group or add orders to one; emits OrderEnriched (CDG)."""

import uuid

import asyncpg

from enrichment.adapters import cdg_repository, orders_repository
from enrichment.adapters.cdg_repository import Cdg
from enrichment.adapters.database import transaction
from enrichment.domain.errors import NotFoundError
from enrichment.domain.order import Order
from enrichment.service_layer.applied_once import earlier_answer, remember_answer
from enrichment.service_layer.context import RequestContext, Tenant, as_uuid
from enrichment.service_layer.events import stage
from shared_contracts.distributor import CdgRequest, CdgResponse
from shared_contracts.events import OrderEnriched


async def _group(conn: asyncpg.Connection, context: RequestContext, request: CdgRequest) -> Cdg:
    if request.cdg_id is None:
        cdg_id = uuid.uuid4()
        name = request.cdg_name or ""
        await cdg_repository.insert_cdg(conn, context.tenant, cdg_id, name, context.trace_id)
        return Cdg(str(cdg_id), name)
    identifier = as_uuid(request.cdg_id)
    cdg = (
        None
        if identifier is None
        else await cdg_repository.load_cdg(conn, context.tenant, identifier, lock=True)
    )
    if cdg is None:
        raise NotFoundError("CDG", request.cdg_id)
    return cdg


async def _tenant_orders(conn: asyncpg.Connection, tenant: Tenant, order_ids: list[str]) -> list[Order]:
    """Every named order of the tenant, in the request's order; 404 naming the first that is not."""
    identifiers = [as_uuid(order_id) for order_id in order_ids]
    found = await orders_repository.load_orders(
        conn, tenant, [identifier for identifier in identifiers if identifier is not None]
    )
    for order_id, identifier in zip(order_ids, identifiers, strict=True):
        if identifier is None or str(identifier) not in found:
            raise NotFoundError("Order", order_id)
    return [found[str(identifier)] for identifier in identifiers if identifier is not None]


async def enrich_cdg(pool: asyncpg.Pool, context: RequestContext, request: CdgRequest) -> CdgResponse:
    """All named orders join the group, or none: each must be the caller's, DRAFT, and in no other group."""
    async with transaction(pool) as conn:
        earlier = await earlier_answer(conn, context, "cdg", request, CdgResponse)
        if earlier is not None:
            return earlier
        cdg = await _group(conn, context, request)
        orders = await _tenant_orders(conn, context.tenant, request.order_ids)
        joining = [order for order in orders if order.join_cdg(cdg.cdg_id)]
        if joining:
            await orders_repository.set_cdg(
                conn, [order.order_id for order in joining], uuid.UUID(cdg.cdg_id)
            )
        for order in joining:
            event = OrderEnriched(
                order_id=order.order_id,
                sp_id=context.tenant.sp_id,
                environment=context.tenant.environment,
                step="CDG",
                data={"cdgId": cdg.cdg_id, "cdgName": cdg.name},
            )
            await stage(conn, event, context.transaction_id)
        members = await cdg_repository.member_order_ids(conn, uuid.UUID(cdg.cdg_id))
        response = CdgResponse(cdg_id=cdg.cdg_id, cdg_name=cdg.name, order_ids=members)
        await remember_answer(conn, context, response)
    return response
