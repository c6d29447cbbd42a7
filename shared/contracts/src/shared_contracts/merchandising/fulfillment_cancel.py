"""Cancel Fulfillment Order.

`PUT /MerchIntegrations/services/customerOrders/fulfillmentOrder/cancel`
"""

from pydantic import Field

from shared_contracts.merchandising.types import (
    FulfillLocationType,
    ItemNumber,
    Number10,
    Number12_4,
    SourceLocationType,
    String4,
    String48,
)
from shared_contracts.model import RequestModel


class CancelDetail(RequestModel):
    """The quantity of one item to cancel."""

    item: ItemNumber = Field(description="The item ordered by the customer.")
    reference_item: ItemNumber | None = Field(
        default=None, description="The reference item (UPC) ordered; vendor drop-ship orders only."
    )
    cancel_quantity_in_suom: Number12_4 = Field(
        description="Quantity to cancel, in the standard unit of measure."
    )
    standard_uom: String4 | None = None
    transaction_uom: String4 | None = Field(
        default=None, description="The unit of measure the order was placed in."
    )
    item_line_no: Number10 | None = None


class FulfillmentOrderCancellation(RequestModel):
    """A cancellation of (part of) one fulfillment order."""

    customer_order_no: String48 = Field(description="Master customer order number from the OMS.")
    fulfill_order_no: String48 = Field(description="Fulfillment order number from the OMS.")
    source_location_type: SourceLocationType | None = Field(
        default=None, description="SU (supplier), ST (store) or WH (warehouse)."
    )
    source_location: Number10 | None = None
    fulfill_location_type: FulfillLocationType | None = Field(
        default=None, description="S (physical store) or V (virtual store)."
    )
    fulfill_location: Number10 = Field(description="The store fulfilling the customer order.")
    details: list[CancelDetail]


class FulfillmentOrderCancelRequest(RequestModel):
    """Input of Cancel Fulfillment Order (the specification's `Cancel` object)."""

    items: list[FulfillmentOrderCancellation] | None = None
