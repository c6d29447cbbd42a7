"""Internal reads for other services (not routed by the gateway)."""

from typing import Annotated

from fastapi import APIRouter, Path

from enrichment.entrypoints.http.dependencies import OptionalSpDep, PoolDep
from enrichment.entrypoints.http.errors import answered_as_api_errors
from enrichment.service_layer.sub_order_lookup import InternalSubOrder, sub_order_for_appointments

SUB_ORDER_PATH = "/internal/v1/sub-orders/{subOrderId}"

router = APIRouter(tags=["internal"])


@router.get(SUB_ORDER_PATH)
async def get_sub_order(
    sub_order_id: Annotated[str, Path(alias="subOrderId")], pool: PoolDep, sp_id: OptionalSpDep
) -> InternalSubOrder:
    """The sub-order's order, SP, environment and installation data; with `x-sp-id`, only that SP's."""
    with answered_as_api_errors():
        return await sub_order_for_appointments(pool, sub_order_id, sp_id)
