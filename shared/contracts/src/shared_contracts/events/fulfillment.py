"""Events of `fulfillment.order.v1`, produced by fulfillment and keyed by customerOrderNo."""

from typing import ClassVar, Literal

from pydantic import Field

from shared_contracts import topics
from shared_contracts.events.base import Event
from shared_contracts.json_number import JsonDecimal
from shared_contracts.model import CamelModel


class FulfillmentEvent(Event):
    """An event about one fulfillment order of a customer order.

    `orderId` and `subOrderId` are set when the fulfillment order was made for a distributor
    order (from OrderSubmitted), absent when the OMS sent it.
    """

    topic: ClassVar[str] = topics.FULFILLMENT_ORDERS

    customer_order_no: str
    fulfill_order_no: str
    order_id: str | None = None
    sub_order_id: str | None = None
    reservation_id: str | None = Field(
        default=None, description="The inventory reservation (hold) the fulfillment order holds, if any."
    )

    def partition_key(self) -> str:
        return self.customer_order_no


class ConfirmedLine(CamelModel):
    item: str
    reference_item: str | None = None
    confirmed_quantity: JsonDecimal
    confirmed_quantity_uom: str
    item_line_no: int | None = None


class FulfillmentOrderCreated(FulfillmentEvent):
    """A fulfillment order was created (or updated) and confirmed C, P, X or R."""

    event_type: ClassVar[str] = "FulfillmentOrderCreated"

    confirmation_type: Literal["C", "P", "X", "R"]
    confirmation_no: int | None = Field(
        default=None, description="The purchase order or transfer number (with C and P)."
    )
    fulfill_location: int
    source_location_type: Literal["SU", "ST", "WH"] | None = None
    source_location: int | None = None
    details: list[ConfirmedLine]


class CancelledLine(CamelModel):
    item: str
    cancelled_quantity: JsonDecimal
    uom: str | None = None
    item_line_no: int | None = None


class FulfillmentOrderCancelled(FulfillmentEvent):
    """Quantities of a fulfillment order were cancelled; their reservations are released."""

    event_type: ClassVar[str] = "FulfillmentOrderCancelled"

    fulfill_location: int | None = None
    details: list[CancelledLine]
