"""The Merchandising "Customer Orders" inventory services at the specification's paths.

The gateway forwards them with the caller's identity (merchandising role) after validating the
bodies with the same models; the service validates again (it may be called directly inside the
network) and answers with the standard error body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
from fastapi import APIRouter, Response

from inventory.adapters.request_claims import claim_transaction
from inventory.entrypoints.http.dependencies import Components, MerchandisingDep, PoolDep
from inventory.entrypoints.http.errors import answered_as_api_errors
from inventory.service_layer.availability import available_inventory
from inventory.service_layer.backorders import create_backorders
from inventory.service_layer.substitutions import create_substitutions
from shared_contracts.merchandising import (
    AVAILABLE_INVENTORY_GET,
    INVENTORY_BACKORDER_CREATE,
    ITEM_SUBSTITUTION_CREATE,
    AvailableInventoryRequest,
    AvailableInventoryResponse,
    InventoryBackorderRequest,
    ItemSubstitutionRequest,
    MerchSuccess,
)
from shared_http.caller import Caller

JSON = "application/json"


async def _applied_once(
    pool: asyncpg.Pool,
    caller: Caller,
    operation: str,
    apply: Callable[[asyncpg.Connection], Awaitable[None]],
) -> None:
    """Apply in one transaction; a repeated `x-transaction-id` of the same client changes nothing."""
    async with pool.acquire() as conn, conn.transaction():
        if caller.transaction_id is not None:
            scope = f"http:{caller.client_id}:{operation}"
            if not await claim_transaction(conn, scope, caller.transaction_id):
                return
        await apply(conn)


def merchandising_router(components: Components) -> APIRouter:
    router = APIRouter(tags=["merchandising"])
    settings, window = components.settings, components.window

    @router.post(AVAILABLE_INVENTORY_GET.path, response_model=AvailableInventoryResponse)
    async def get_available_inventory(
        body: AvailableInventoryRequest, caller: MerchandisingDep, pool: PoolDep
    ) -> Response:
        """Available = stock on hand - (transfer reserved + customer reserved + RTV + non-sellable)."""
        with answered_as_api_errors(merchandising=True):
            document = await available_inventory(pool, body, max_pairs=settings.availability_max_pairs)
        return Response(document, media_type=JSON)

    @router.post(INVENTORY_BACKORDER_CREATE.path)
    async def create_inventory_backorder(
        body: InventoryBackorderRequest, caller: MerchandisingDep, pool: PoolDep
    ) -> MerchSuccess:
        with answered_as_api_errors(merchandising=True):
            await _applied_once(
                pool,
                caller,
                "backorder",
                lambda conn: create_backorders(conn, body, window, transaction_id=caller.transaction_id),
            )
        return MerchSuccess()

    @router.post(ITEM_SUBSTITUTION_CREATE.path)
    async def create_item_substitution(
        body: ItemSubstitutionRequest, caller: MerchandisingDep, pool: PoolDep
    ) -> MerchSuccess:
        with answered_as_api_errors(merchandising=True):
            await _applied_once(
                pool,
                caller,
                "substitution",
                lambda conn: create_substitutions(conn, body, window, transaction_id=caller.transaction_id),
            )
        return MerchSuccess()

    return router
