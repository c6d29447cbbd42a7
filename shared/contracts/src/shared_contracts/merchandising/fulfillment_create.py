"""Create Fulfillment Order.

`POST /MerchIntegrations/services/customerOrders/fulfillmentOrder/create`
"""

from datetime import date, datetime

from pydantic import Field

from shared_contracts.merchandising.customer_details import CustomerDetails
from shared_contracts.merchandising.types import (
    DeliveryType,
    FulfillLocationType,
    ItemNumber,
    Number10,
    Number12_4,
    Number20_4,
    SourceLocationType,
    String3,
    String4,
    String6,
    String48,
    String2000,
    YesNo,
)
from shared_contracts.model import RequestModel


class FulfillmentOrderDetail(RequestModel):
    """One ordered item of a fulfillment order."""

    item: ItemNumber = Field(description="The item ordered by the customer.")
    reference_item: ItemNumber | None = Field(
        default=None, description="The reference item (UPC) ordered; vendor drop-ship orders only."
    )
    order_quantity_suom: Number12_4 = Field(description="Ordered quantity in the standard unit of measure.")
    standard_uom: String4 | None = None
    transaction_uom: String4 | None = Field(
        default=None, description="The unit of measure the order was placed in."
    )
    substitute_ind: YesNo = Field(description="Whether substitutes are allowed.")
    unit_retail: Number20_4 | None = Field(default=None, description="Unit sales retail (Brazil only).")
    retail_currency: String3 | None = Field(default=None, description="Currency of the unit retail.")
    comments: String2000 | None = Field(default=None, description="Special instructions for the item.")
    item_line_no: Number10 | None = None


class FulfillmentOrder(RequestModel):
    """One fulfillment order of a customer order."""

    customer_order_no: String48 = Field(description="Master customer order number from the OMS.")
    fulfill_order_no: String48 = Field(
        description="Fulfillment order number from the OMS; several may belong to one customer order."
    )
    source_location_type: SourceLocationType | None = Field(
        default=None,
        description=(
            "SU (supplier), ST (store) or WH (warehouse); only for vendor, warehouse or multi-site orders."
        ),
    )
    source_location: Number10 | None = Field(
        default=None, description="The supplier, store or warehouse sourcing the order."
    )
    fulfill_location_type: FulfillLocationType | None = Field(
        default=None, description="S (physical store) or V (virtual store)."
    )
    fulfill_location: Number10 = Field(description="The (physical or virtual) store fulfilling the order.")
    partial_delivery_ind: YesNo = Field(
        description=(
            "As the specification words it: whether the order can be picked and shipped partially (N) "
            "or only when complete (Y)."
        )
    )
    delivery_type: DeliveryType | None = Field(
        default=None, description="S (ship direct) or C (customer pickup)."
    )
    carrier_code: String4 | None = None
    carrier_service_code: String6 | None = Field(
        default=None, description="The shipping method the customer selected."
    )
    consumer_delivery_date: date = Field(description="Date the customer requires the delivery by (GMT).")
    consumer_delivery_time: datetime | None = Field(
        default=None, description="Time the customer requires the delivery by (GMT)."
    )
    delivery_charges: Number20_4 | None = Field(default=None, description="Delivery charges on drop ship.")
    delivery_charges_currency: String3 | None = None
    comments: String2000 | None = None
    customer_details: CustomerDetails | None = None
    details: list[FulfillmentOrderDetail]
    order_placed_store: Number10 | None = Field(
        default=None, description="The (virtual or physical) store where the order was placed."
    )


class FulfillmentOrderCreateRequest(RequestModel):
    """Input of Create Fulfillment Order (the specification's `Create` object)."""

    items: list[FulfillmentOrder]
