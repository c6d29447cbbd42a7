"""Answer of Create Fulfillment Order: one confirmation per fulfillment order."""

from pydantic import Field

from shared_contracts.merchandising.types import (
    ConfirmationType,
    ItemNumber,
    Number10,
    Number12,
    Number12_4,
    String4,
    String10,
    String48,
)
from shared_contracts.model import StrictCamelModel


class ConfirmationDetail(StrictCamelModel):
    """The confirmed quantity of one ordered item."""

    item: ItemNumber
    reference_item: ItemNumber | None = None
    confirmed_quantity: Number12_4 = Field(description="Quantity that can be sourced or fulfilled.")
    confirmed_quantity_uom: String4
    item_line_no: Number10 | None = None


class FulfillmentConfirmation(StrictCamelModel):
    """The outcome of one fulfillment order."""

    customer_order_no: String48
    fulfill_order_no: String48
    confirmation_type: ConfirmationType = Field(
        description="C: completely created, P: partially created, X: not created, R: inventory reservation."
    )
    confirmation_no: Number12 | None = Field(
        default=None, description="The purchase order or transfer number (with C and P)."
    )
    details: list[ConfirmationDetail] | None = Field(
        default=None, description="Null for confirmation type R."
    )
    fulfill_location: Number10 | None = Field(default=None, description="Null for confirmation type R.")
    system_code: String10 | None = Field(
        default=None, description="The system associated with the location; null for confirmation type R."
    )


class FulfillmentOrderCreateResponse(StrictCamelModel):
    """Answer of Create Fulfillment Order (the specification's `CreateResponse` object)."""

    items: list[FulfillmentConfirmation] | None = None
