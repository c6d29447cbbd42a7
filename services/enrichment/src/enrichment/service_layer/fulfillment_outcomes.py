"""FulfillmentOrderCreated (fulfillment.order.v1) -> the sub-order's outcome and the order's status.

Convention of our saga: fulfillment creates one fulfillment order per sub-order of a submitted
order with `customerOrderNo` = orderId and `fulfillOrderNo` = subOrderId; the event's explicit
`orderId` / `subOrderId`, when present, win. Fulfillment orders the OMS created for its own
customer orders name no order of ours and are ignored.
"""

import logging
import uuid

import asyncpg

from enrichment.adapters import fulfillment_repository, orders_repository
from enrichment.adapters.fulfillment_repository import FulfillmentOutcome
from enrichment.service_layer.context import as_uuid
from enrichment.service_layer.events import stage, status_changed
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import FulfillmentOrderCreated

log = logging.getLogger(__name__)


def distributor_ids(event: FulfillmentOrderCreated) -> tuple[uuid.UUID, uuid.UUID] | None:
    """(orderId, subOrderId) the fulfillment order was made for; None when it is not one of ours."""
    order_id = as_uuid(event.order_id or event.customer_order_no)
    sub_order_id = as_uuid(event.sub_order_id or event.fulfill_order_no)
    if order_id is None or sub_order_id is None:
        return None
    return order_id, sub_order_id


async def handle_fulfillment_order_created(
    conn: asyncpg.Connection, event: FulfillmentOrderCreated, meta: CloudEventMeta
) -> None:
    ids = distributor_ids(event)
    order = None if ids is None else await orders_repository.load_order_for_event(conn, ids[0])
    if ids is None or order is None or str(ids[1]) not in order.sub_order_ids:
        log.info(
            "fulfillment order %s/%s names no distributor order; ignored",
            event.customer_order_no,
            event.fulfill_order_no,
        )
        return
    await fulfillment_repository.record_outcome(
        conn,
        FulfillmentOutcome(
            order_id=order.order_id,
            sub_order_id=str(ids[1]),
            confirmation_type=event.confirmation_type,
            confirmation_no=event.confirmation_no,
            fulfill_location=event.fulfill_location,
            confirmed_at=meta.time,
            trace_id=meta.x_trace_id,
        ),
    )
    change = order.record_fulfillment(await fulfillment_repository.confirmations_of(conn, order.order_id))
    if change is not None:
        await orders_repository.record_status(conn, order.order_id, change, meta.x_trace_id)
        await stage(conn, status_changed(order.order_id, change), meta.transaction_id)
