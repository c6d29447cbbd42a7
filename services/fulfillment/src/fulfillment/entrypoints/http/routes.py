"""Create and Cancel Fulfillment Order at the specification's paths (forwarded by the gateway with
the caller's identity; the merchandising role is required)."""

from typing import Annotated, cast

import asyncpg
from fastapi import APIRouter, Depends, Request

from fulfillment.entrypoints.components import Components, components_lifespan
from fulfillment.entrypoints.http.errors import answered_as_api_errors
from fulfillment.service_layer.cancel import cancel_fulfillment_orders
from fulfillment.service_layer.create import create_fulfillment_orders
from fulfillment.service_layer.ports import PoolDatabase
from shared_contracts.merchandising import (
    FULFILLMENT_ORDER_CANCEL,
    FULFILLMENT_ORDER_CREATE,
    FulfillmentOrderCancelRequest,
    FulfillmentOrderCreateRequest,
    FulfillmentOrderCreateResponse,
    MerchSuccess,
)
from shared_http import ApiError
from shared_http.caller import Caller, caller_from_request

MERCHANDISING_ROLE = "merchandising"


def _pool(request: Request) -> asyncpg.Pool:
    pool = getattr(request.app.state.runtime, "pool", None)
    if pool is None:
        raise ApiError(503, "UNAVAILABLE", "The service is starting; please retry shortly.")
    return cast(asyncpg.Pool, pool)


def _merchandising_caller(request: Request) -> Caller:
    caller = caller_from_request(request)
    if MERCHANDISING_ROLE not in caller.roles:
        raise ApiError(403, "FORBIDDEN", "The Merchandising services need the merchandising role")
    return caller


def _components(request: Request) -> Components:
    return cast(Components, request.app.state.fulfillment)


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
CallerDep = Annotated[Caller, Depends(_merchandising_caller)]
ComponentsDep = Annotated[Components, Depends(_components)]


def merchandising_router(components: Components) -> APIRouter:
    router = APIRouter(tags=["merchandising"], lifespan=components_lifespan(components))

    @router.post(FULFILLMENT_ORDER_CREATE.path, response_model_exclude_none=False)
    async def create(
        body: FulfillmentOrderCreateRequest, caller: CallerDep, pool: PoolDep, parts: ComponentsDep
    ) -> FulfillmentOrderCreateResponse:
        """One confirmation (C, P, X or R) per fulfillment order; all-or-nothing on validation errors."""
        with answered_as_api_errors():
            outcome = await create_fulfillment_orders(
                PoolDatabase(pool),
                parts.inventory,
                body.items,
                parts.rules,
                trace_id=caller.trace_id or None,
                transaction_id=caller.transaction_id,
            )
        return FulfillmentOrderCreateResponse(items=outcome.confirmations)

    @router.put(FULFILLMENT_ORDER_CANCEL.path)
    async def cancel(
        body: FulfillmentOrderCancelRequest, caller: CallerDep, pool: PoolDep, parts: ComponentsDep
    ) -> MerchSuccess:
        """Reduces open quantities; cancelling more than is open is a business error (400)."""
        with answered_as_api_errors():
            await cancel_fulfillment_orders(
                PoolDatabase(pool), body, parts.rules, transaction_id=caller.transaction_id
            )
        return MerchSuccess()

    return router
