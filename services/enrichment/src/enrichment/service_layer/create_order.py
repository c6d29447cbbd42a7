"""Create an order, its contract, sub-orders and items (status DRAFT); emits OrderCreated.

Once per `x-transaction-id`: a retry of an applied request gets the first answer.
"""

import uuid
from dataclasses import dataclass

import asyncpg

from enrichment.adapters import orders_repository
from enrichment.adapters.database import transaction
from enrichment.adapters.orders_repository import NewItem, NewOrder
from enrichment.adapters.orders_repository import NewSubOrder as NewSubOrderRow
from enrichment.domain.order import CREATED
from enrichment.service_layer.applied_once import earlier_answer, remember_answer
from enrichment.service_layer.context import EnrichmentRules, RequestContext
from enrichment.service_layer.events import SERVICE, stage
from shared_contracts.distributor import (
    CreatedOrderItem,
    CreatedSubOrder,
    CreateOrderRequest,
    CreateOrderResponse,
    NewSubOrder,
)
from shared_contracts.events import OrderCreated
from shared_contracts.events.common import OrderItem, SiteAddress
from shared_contracts.events.orders import CreatedSubOrder as CreatedSubOrderEvent
from shared_messaging.outbox import outbox_row


@dataclass(frozen=True)
class _PlannedSubOrder:
    row: NewSubOrderRow
    items: list[NewItem]

    def created(self) -> CreatedSubOrder:
        return CreatedSubOrder(
            sub_order_id=str(self.row.sub_order_id),
            sub_order_items=[
                CreatedOrderItem(
                    order_item_id=str(item.order_item_id),
                    item=item.item,
                    quantity=item.quantity,
                    order_item_type=item.order_item_type,
                )
                for item in self.items
            ],
        )

    def event_part(self) -> CreatedSubOrderEvent:
        return CreatedSubOrderEvent(
            sub_order_id=str(self.row.sub_order_id),
            site_address=SiteAddress.model_validate(self.row.site_address),
            items=[
                OrderItem(
                    order_item_id=str(item.order_item_id),
                    item=item.item,
                    quantity=item.quantity,
                    order_item_type=item.order_item_type,
                )
                for item in self.items
            ],
        )


def _plan(requested: NewSubOrder) -> _PlannedSubOrder:
    row = NewSubOrderRow(uuid.uuid4(), requested.site_address.model_dump(mode="json"))
    items = [
        NewItem(uuid.uuid4(), row.sub_order_id, position, item.item, item.quantity, item.order_item_type)
        for position, item in enumerate(requested.items, start=1)
    ]
    return _PlannedSubOrder(row, items)


async def create_order(
    pool: asyncpg.Pool, context: RequestContext, rules: EnrichmentRules, request: CreateOrderRequest
) -> CreateOrderResponse:
    keep_personal_data = rules.persist_customer_data
    order = NewOrder(
        order_id=uuid.uuid4(),
        contract_id=uuid.uuid4(),
        quote_id=request.quote_id,
        external_order_id=request.external_order_id,
        customer=request.customer.model_dump(mode="json") if keep_personal_data else None,
        contacts=request.contacts.model_dump(mode="json") if keep_personal_data else None,
    )
    planned = [_plan(sub_order) for sub_order in request.sub_orders]
    response = CreateOrderResponse(
        order_id=str(order.order_id),
        contract_id=str(order.contract_id),
        order_status="DRAFT",
        sub_orders=[sub_order.created() for sub_order in planned],
    )
    event = OrderCreated(
        order_id=response.order_id,
        contract_id=response.contract_id,
        sp_id=context.tenant.sp_id,
        quote_id=order.quote_id,
        external_order_id=order.external_order_id,
        source=context.source,
        environment=context.tenant.environment,
        sub_orders=[sub_order.event_part() for sub_order in planned],
    )
    sub_order_rows = [sub_order.row for sub_order in planned]
    item_rows = [item for sub_order in planned for item in sub_order.items]
    if context.transaction_id is None:
        # No key to claim, no answer to keep: the order and its event in one statement, which
        # is a transaction of its own (no BEGIN / COMMIT round trips).
        async with pool.acquire() as conn:
            outbox = await outbox_row(conn, event, source_service=SERVICE)
            await orders_repository.insert_order(
                conn, context, order, sub_order_rows, item_rows, CREATED, outbox
            )
        outbox.committed()
        return response
    async with transaction(pool) as conn:
        earlier = await earlier_answer(conn, context, "create-order", request, CreateOrderResponse)
        if earlier is not None:
            return earlier
        await orders_repository.insert_order(conn, context, order, sub_order_rows, item_rows, CREATED)
        await stage(conn, event, context.transaction_id)
        await remember_answer(conn, context, response)
    return response
