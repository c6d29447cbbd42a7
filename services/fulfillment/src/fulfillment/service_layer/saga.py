"""OrderSubmitted (orders.order.v1) -> one fulfillment order per sub-order, held in inventory and
committed with FulfillmentOrderCreated; a shortage becomes an inventory backorder.

Idempotent: the inbox drops a redelivery, and a duplicate with another event id finds every line
already on its fulfillment order (unique per order and line), so nothing is held, created or
backordered twice.
"""

import logging

import asyncpg

from fulfillment.adapters.inventory_client import InventoryRefusedError
from fulfillment.domain.errors import InvalidRequestError
from fulfillment.domain.saga import fulfillment_order_for
from fulfillment.service_layer.create import Origin, create_fulfillment_orders
from fulfillment.service_layer.ports import ConnectionDatabase, Inventory, trace_headers
from fulfillment.service_layer.rules import Rules
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import OrderSubmitted
from shared_messaging import PermanentError

log = logging.getLogger(__name__)


class OrderSubmittedHandler:
    def __init__(self, inventory: Inventory, rules: Rules) -> None:
        self._inventory = inventory
        self._rules = rules

    async def __call__(self, conn: asyncpg.Connection, event: OrderSubmitted, meta: CloudEventMeta) -> None:
        rules = self._rules
        orders = [
            fulfillment_order_for(event.order_id, sub_order, rules.saga) for sub_order in event.sub_orders
        ]
        customer = None
        if rules.persist_customer_data and event.customer is not None:
            customer = event.customer.model_dump(mode="json", exclude_none=True)
        origins = {
            (event.order_id, sub_order.sub_order_id): Origin(event.order_id, sub_order.sub_order_id, customer)
            for sub_order in event.sub_orders
        }
        try:
            outcome = await create_fulfillment_orders(
                ConnectionDatabase(conn),
                self._inventory,
                orders,
                rules,
                trace_id=meta.x_trace_id,
                transaction_id=meta.transaction_id,
                origins=origins,
                from_oms=False,
            )
        except InvalidRequestError as error:
            raise PermanentError(
                f"order {event.order_id} cannot be fulfilled: {error}", code="VALIDATION_FAILED"
            ) from error
        if rules.backorder_shortages and outcome.shortages:
            headers = trace_headers(meta.x_trace_id) | {
                "x-transaction-id": f"fulfillment-backorder-{meta.id}"
            }
            try:
                await self._inventory.backorder(outcome.shortages, headers)
            except InventoryRefusedError as error:  # sourcing rules out of step with inventory's data
                log.warning("order %s: shortage not backordered: %s", event.order_id, error)
