"""Distributor orders become fulfillment orders: one per sub-order, sourced by configuration.

Convention shared with enrichment: `customerOrderNo` = orderId, `fulfillOrderNo` = subOrderId.
Items become lines numbered from 1 in the sub-order's order; the delivery is due a configured
number of days before the service appointment.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared_contracts.events.orders import SubmittedSubOrder
from shared_contracts.merchandising import FulfillmentOrder


@dataclass(frozen=True)
class SagaRules:
    source_location_type: str | None
    source_location: int | None
    fulfill_location: int
    fulfill_location_type: str
    partial_delivery_ind: str
    delivery_lead_days: int


def fulfillment_order_body(order_id: str, sub_order: SubmittedSubOrder, rules: SagaRules) -> dict[str, Any]:
    """The create request's entry for one sub-order (camelCase, as the OMS would send it)."""
    delivery = sub_order.appointment.start_date.date() - timedelta(days=rules.delivery_lead_days)
    body: dict[str, Any] = {
        "customerOrderNo": order_id,
        "fulfillOrderNo": sub_order.sub_order_id,
        "fulfillLocationType": rules.fulfill_location_type,
        "fulfillLocation": rules.fulfill_location,
        "partialDeliveryInd": rules.partial_delivery_ind,
        "deliveryType": "S",
        "consumerDeliveryDate": delivery.isoformat(),
        "details": [
            {
                "item": item.item,
                "orderQuantitySuom": item.quantity,
                "substituteInd": "N",
                "itemLineNo": number,
            }
            for number, item in enumerate(sub_order.items, start=1)
        ],
    }
    if rules.source_location_type and rules.source_location is not None:
        body["sourceLocationType"] = rules.source_location_type
        body["sourceLocation"] = rules.source_location
    return body


def fulfillment_order_for(order_id: str, sub_order: SubmittedSubOrder, rules: SagaRules) -> FulfillmentOrder:
    return FulfillmentOrder.model_validate(fulfillment_order_body(order_id, sub_order, rules))
