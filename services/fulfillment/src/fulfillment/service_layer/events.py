"""The events fulfillment publishes (through the outbox)."""

from collections.abc import Sequence
from decimal import Decimal

from fulfillment.adapters.repository import StoredOrder
from fulfillment.domain.lines import LineKey
from shared_contracts.events import FulfillmentOrderCancelled, FulfillmentOrderCreated
from shared_contracts.events.fulfillment import CancelledLine, ConfirmedLine


def created_event(order: StoredOrder) -> FulfillmentOrderCreated:
    """Confirmed quantities are what each line holds now (confirmed minus cancelled), so inventory
    confirms new holds as they are and trims nothing already committed."""
    return FulfillmentOrderCreated(
        customer_order_no=order.customer_order_no,
        fulfill_order_no=order.fulfill_order_no,
        order_id=order.order_id,
        sub_order_id=order.sub_order_id,
        reservation_id=order.reservation_id,
        confirmation_type=order.confirmation_type,
        confirmation_no=order.confirmation_no if order.confirmation_type in ("C", "P") else None,
        fulfill_location=order.fulfill_location,
        source_location_type=order.source_location_type,
        source_location=order.source_location,
        details=[
            ConfirmedLine(
                item=line.item,
                reference_item=line.reference_item,
                confirmed_quantity=line.open,
                confirmed_quantity_uom=line.uom,
                item_line_no=line.item_line_no,
            )
            for line in order.lines
        ],
    )


def cancelled_event(
    order: StoredOrder, quantities: Sequence[tuple[LineKey, Decimal]]
) -> FulfillmentOrderCancelled:
    uoms = {line.key: line.uom for line in order.lines}
    return FulfillmentOrderCancelled(
        customer_order_no=order.customer_order_no,
        fulfill_order_no=order.fulfill_order_no,
        order_id=order.order_id,
        sub_order_id=order.sub_order_id,
        reservation_id=order.reservation_id,
        fulfill_location=order.fulfill_location,
        details=[
            CancelledLine(item=key[0], cancelled_quantity=quantity, uom=uoms.get(key), item_line_no=key[1])
            for key, quantity in quantities
        ],
    )
