"""Create and cancel requests from the OMS on `oms.fulfillment-order.v1`: the same use cases as
HTTP; a request the rules refuse goes to the DLQ (PermanentError), an unreachable inventory is
retried (a ConnectionError), and the outcome event carries the inbound `x-transaction-id`."""

from collections.abc import Awaitable

import asyncpg

from fulfillment.domain.errors import BusinessRuleError, InvalidRequestError
from fulfillment.service_layer.cancel import cancel_fulfillment_orders
from fulfillment.service_layer.create import create_fulfillment_orders
from fulfillment.service_layer.ports import ConnectionDatabase, Inventory
from fulfillment.service_layer.rules import Rules
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.errors import ErrorCategory, ValidationErrorItem
from shared_contracts.events import FulfillmentOrderCancelRequested, FulfillmentOrderCreateRequested
from shared_messaging import PermanentError

VALIDATION_MESSAGE = "Error found in validation of input payload"


async def _refusals_to_dlq(work: Awaitable[object]) -> None:
    try:
        await work
    except InvalidRequestError as error:
        raise PermanentError(
            VALIDATION_MESSAGE,
            code="VALIDATION_FAILED",
            category=ErrorCategory.VALIDATION,
            validation_errors=[
                ValidationErrorItem(error=problem.message, field=problem.field, inputValue=problem.value)
                for problem in error.problems
            ],
        ) from error
    except BusinessRuleError as error:
        raise PermanentError(str(error), code=error.code, business_errors=error.errors) from error


class CreateRequestedHandler:
    def __init__(self, inventory: Inventory, rules: Rules) -> None:
        self._inventory = inventory
        self._rules = rules

    async def __call__(
        self, conn: asyncpg.Connection, event: FulfillmentOrderCreateRequested, meta: CloudEventMeta
    ) -> None:
        await _refusals_to_dlq(
            create_fulfillment_orders(
                ConnectionDatabase(conn),
                self._inventory,
                event.items,
                self._rules,
                trace_id=meta.x_trace_id,
                transaction_id=meta.transaction_id,
            )
        )


class CancelRequestedHandler:
    def __init__(self, rules: Rules) -> None:
        self._rules = rules

    async def __call__(
        self, conn: asyncpg.Connection, event: FulfillmentOrderCancelRequested, meta: CloudEventMeta
    ) -> None:
        await _refusals_to_dlq(
            cancel_fulfillment_orders(
                ConnectionDatabase(conn), event, self._rules, transaction_id=meta.transaction_id
            )
        )
