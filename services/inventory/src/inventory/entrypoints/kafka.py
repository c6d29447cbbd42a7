"""The topics this service consumes. OMS commands run the same use cases as the HTTP services;
a command the rules refuse goes to the topic's DLQ with the standard error body. A repeated
`x-transaction-id` on a topic is applied once (on top of the inbox's once per message)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from inventory.adapters.request_claims import claim_transaction
from inventory.domain.errors import BusinessRuleError, InvalidRequestError
from inventory.entrypoints.http.errors import BUSINESS_MESSAGE, VALIDATION_MESSAGE
from inventory.service_layer.backorders import create_backorders
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.fulfillment_events import cancel_fulfillment_order, confirm_fulfillment_order
from inventory.service_layer.substitutions import create_substitutions
from shared_contracts import topics
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.errors import ErrorCategory, ValidationErrorItem
from shared_contracts.events import (
    FulfillmentOrderCancelled,
    FulfillmentOrderCreated,
    InventoryBackorderRequested,
    ItemSubstitutionRequested,
)
from shared_contracts.merchandising import InventoryBackorderRequest, ItemSubstitutionRequest
from shared_messaging import NamedHandler, PermanentError
from shared_messaging.consumer import Handler
from shared_observability.metrics import count_reservation
from shared_runtime import Consumes

Apply = Callable[[asyncpg.Connection, Any, str | None], Awaitable[None]]


def as_permanent_error(error: InvalidRequestError | BusinessRuleError) -> PermanentError:
    if isinstance(error, InvalidRequestError):
        return PermanentError(
            VALIDATION_MESSAGE,
            code="VALIDATION_FAILED",
            category=ErrorCategory.VALIDATION,
            validation_errors=[
                ValidationErrorItem(error=problem.message, field=problem.field, inputValue=problem.value)
                for problem in error.problems
            ],
        )
    return PermanentError(BUSINESS_MESSAGE, code=error.code, business_errors=error.errors)


def command_handler(topic: str, apply: Apply) -> Handler:
    """A handler applying an OMS command once per `x-transaction-id`; refusals -> DLQ."""

    async def handle(conn: asyncpg.Connection, command: Any, meta: CloudEventMeta) -> None:
        if meta.transaction_id and not await claim_transaction(conn, f"kafka:{topic}", meta.transaction_id):
            return
        try:
            await apply(conn, command, meta.transaction_id)
        except (InvalidRequestError, BusinessRuleError) as error:
            raise as_permanent_error(error) from error

    return handle


def subscriptions(window: BatchWindow) -> list[Consumes]:
    async def backorder(conn: asyncpg.Connection, command: Any, transaction_id: str | None) -> None:
        await create_backorders(conn, command, window, transaction_id=transaction_id)

    async def substitution(conn: asyncpg.Connection, command: Any, transaction_id: str | None) -> None:
        await create_substitutions(conn, command, window, transaction_id=transaction_id)

    async def created(conn: asyncpg.Connection, event: FulfillmentOrderCreated, meta: CloudEventMeta) -> None:
        await confirm_fulfillment_order(conn, event, meta, window)

    async def cancelled(
        conn: asyncpg.Connection, event: FulfillmentOrderCancelled, meta: CloudEventMeta
    ) -> None:
        if await cancel_fulfillment_order(conn, event, meta, window):
            # Counted before the consumer's transaction commits: a failed commit, retried, counts twice.
            count_reservation("inventory", "released")

    backorders, substitutions_ = InventoryBackorderRequested.event_type, ItemSubstitutionRequested.event_type
    return [
        Consumes(
            topics.OMS_INVENTORY_BACKORDERS,
            {
                backorders: NamedHandler(
                    "inventory.backorder-requested",
                    command_handler(topics.OMS_INVENTORY_BACKORDERS, backorder),
                )
            },
            models={backorders: InventoryBackorderRequest},
        ),
        Consumes(
            topics.OMS_ITEM_SUBSTITUTIONS,
            {
                substitutions_: NamedHandler(
                    "inventory.substitution-requested",
                    command_handler(topics.OMS_ITEM_SUBSTITUTIONS, substitution),
                )
            },
            models={substitutions_: ItemSubstitutionRequest},
        ),
        Consumes(
            topics.FULFILLMENT_ORDERS,
            {
                FulfillmentOrderCreated.event_type: NamedHandler(
                    "inventory.fulfillment-order-created", created
                ),
                FulfillmentOrderCancelled.event_type: NamedHandler(
                    "inventory.fulfillment-order-cancelled", cancelled
                ),
            },
        ),
    ]
