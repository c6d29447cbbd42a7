"""Create and Cancel Fulfillment Order at the specification's paths (forwarded by the gateway with
the caller's identity; the merchandising role is required)."""

from typing import Annotated, cast

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
from shared_http.caller import MerchandisingDep
from shared_runtime.dependencies import PoolDep


async def _components(request: Request) -> Components:
    return cast(Components, request.app.state.fulfillment)


ComponentsDep = Annotated[Components, Depends(_components)]


def merchandising_router(components: Components) -> APIRouter:
    router = APIRouter(tags=["merchandising"], lifespan=components_lifespan(components))

    @router.post(FULFILLMENT_ORDER_CREATE.path, response_model_exclude_none=False)
    async def create(
        body: FulfillmentOrderCreateRequest, caller: MerchandisingDep, pool: PoolDep, parts: ComponentsDep
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
        body: FulfillmentOrderCancelRequest, caller: MerchandisingDep, pool: PoolDep, parts: ComponentsDep
    ) -> MerchSuccess:
        """Reduces open quantities; cancelling more than is open is a business error (400)."""
        with answered_as_api_errors():
            await cancel_fulfillment_orders(
                PoolDatabase(pool), body, parts.rules, transaction_id=caller.transaction_id
            )
        return MerchSuccess()

    return router
