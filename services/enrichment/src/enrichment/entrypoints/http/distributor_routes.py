"""The public distributor paths this service owns, served unchanged behind the gateway.

Identity comes from the gateway's headers (`x-client-id`, `x-sp-id`, `x-environment`, `x-roles`);
every order and CDG is the caller's SP's (others answer 404).
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from enrichment.entrypoints.http.dependencies import ComponentsDep, ContextDep, PoolDep
from enrichment.entrypoints.http.errors import answered_as_api_errors
from enrichment.service_layer.create_order import create_order
from enrichment.service_layer.enrich_sub_order import enrich_billing, enrich_installation, enrich_shipping
from enrichment.service_layer.group_orders import enrich_cdg
from enrichment.service_layer.order_status import list_orders, order_status
from enrichment.service_layer.submit import submit
from enrichment.service_layer.summarize import summarize
from shared_contracts.distributor import (
    BillingRequest,
    BillingResponse,
    CdgRequest,
    CdgResponse,
    CreateOrderRequest,
    CreateOrderResponse,
    EnrichmentResponse,
    InstallationRequest,
    OrderListQuery,
    OrderListResponse,
    OrderStatusResponse,
    OrderSummaryRequest,
    OrderSummaryResponse,
    ShippingRequest,
    SubmitRequest,
    SubmitResponse,
    paths,
)

router = APIRouter(tags=["distributor orders"])


@router.post(paths.CREATE_ORDER, status_code=201)
async def post_order(
    body: CreateOrderRequest, pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> CreateOrderResponse:
    with answered_as_api_errors():
        return await create_order(pool, context, components.rules, body)


@router.put(paths.INSTALLATION)
async def put_installation(
    body: InstallationRequest, pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> EnrichmentResponse:
    with answered_as_api_errors():
        return await enrich_installation(pool, context, components.rules, body)


@router.post(paths.SHIPPING)
async def post_shipping(body: ShippingRequest, pool: PoolDep, context: ContextDep) -> EnrichmentResponse:
    with answered_as_api_errors():
        return await enrich_shipping(pool, context, body)


@router.post(paths.BILLING)
async def post_billing(body: BillingRequest, pool: PoolDep, context: ContextDep) -> BillingResponse:
    with answered_as_api_errors():
        return await enrich_billing(pool, context, body)


@router.post(paths.CDG)
async def post_cdg(body: CdgRequest, pool: PoolDep, context: ContextDep) -> CdgResponse:
    with answered_as_api_errors():
        return await enrich_cdg(pool, context, body)


@router.post(paths.ORDER_SUMMARY)
async def post_order_summary(
    body: OrderSummaryRequest, pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> OrderSummaryResponse:
    with answered_as_api_errors():
        return await summarize(pool, context, components.appointments, body)


@router.post(paths.SUBMIT, response_model_exclude_none=True)
async def post_submit(
    body: SubmitRequest, pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> SubmitResponse:
    with answered_as_api_errors():
        return await submit(pool, context, components.rules, components.appointments, body)


@router.get(paths.ORDERS)
async def get_orders(
    query: Annotated[OrderListQuery, Query()], pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> OrderListResponse:
    with answered_as_api_errors():
        return await list_orders(pool, context, components.rules, query)


@router.get(paths.ORDER)
async def get_order(
    order_id: Annotated[str, Path(alias="orderId")], pool: PoolDep, context: ContextDep
) -> OrderStatusResponse:
    with answered_as_api_errors():
        return await order_status(pool, context, order_id)
