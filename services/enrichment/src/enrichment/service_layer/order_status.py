"""Order status: one order, or a page of the tenant's orders."""

import asyncpg

from enrichment.adapters import fulfillment_repository
from enrichment.adapters.order_details import load_details
from enrichment.adapters.order_listing import list_order_ids
from enrichment.service_layer.context import EnrichmentRules, RequestContext
from enrichment.service_layer.lookup import tenant_order
from enrichment.service_layer.summary_view import order_status_view
from shared_contracts.distributor import OrderListQuery, OrderListResponse, OrderStatusResponse


async def order_status(pool: asyncpg.Pool, context: RequestContext, order_id: str) -> OrderStatusResponse:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        order = await tenant_order(conn, context.tenant, order_id, lock=False)
        (details,) = await load_details(conn, [order.order_id])
        outcomes = await fulfillment_repository.outcomes_of_sub_orders(conn, details.sub_order_ids)
    view = order_status_view(details, outcomes)
    return OrderStatusResponse.model_validate(view.model_dump())


async def list_orders(
    pool: asyncpg.Pool, context: RequestContext, rules: EnrichmentRules, query: OrderListQuery
) -> OrderListResponse:
    """Newest first; `limit` is capped at the configured maximum page size."""
    limit = min(query.limit, rules.max_page_size)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        page = await list_order_ids(
            conn,
            context.tenant,
            external_order_id=query.external_order_id,
            status=query.status,
            offset=query.offset,
            limit=limit,
        )
        details = await load_details(conn, page.order_ids)
        outcomes = await fulfillment_repository.outcomes_of_sub_orders(
            conn, [sub_order_id for order in details for sub_order_id in order.sub_order_ids]
        )
    return OrderListResponse(
        offset=query.offset,
        limit=limit,
        total=page.total,
        orders=[order_status_view(order, outcomes) for order in details],
    )
