"""Create Customer Order Item Substitution.

`POST /MerchIntegrations/services/customerOrders/itemSubstitution/create`
"""

from pydantic import Field

from shared_contracts.merchandising.types import ItemNumber, Number4, Number10, Number12_4, String4, String48
from shared_contracts.model import RequestModel


class SubstituteDetail(RequestModel):
    """The substitute item picked instead of the ordered one."""

    substitute_item: ItemNumber = Field(
        description=(
            "Catchweight, transformable, consignment, concession and deposit container items "
            "are not supported."
        )
    )
    substitute_item_quantity: Number12_4 = Field(description="Order quantity of the substitute item.")
    substitute_item_quantity_uom: String4 = Field(
        description="Standard unit of measure of the substitute item."
    )


class SubstitutionItem(RequestModel):
    """A substitution on one customer order line (the specification's `CustOrdSubDesc`)."""

    customer_order_no: String48 = Field(description="Master customer order number from the OMS.")
    fulfill_order_no: String48 = Field(description="Fulfillment order number from the OMS.")
    location: Number10 = Field(
        description="The store of the customer order (substitution is for stores only)."
    )
    item: ItemNumber = Field(description="The original item, which the substitute replaces.")
    quantity: Number12_4 = Field(description="Revised order quantity of the original item.")
    uom: String4 = Field(description="Standard unit of measure of the original item.")
    details: list[SubstituteDetail]
    item_line_no: Number10 | None = Field(default=None, description="Line number of the substituted item.")


class ItemSubstitutionRequest(RequestModel):
    """Input of Create Customer Order Item Substitution (the specification's `Create` object)."""

    collection_size: Number4 = Field(description="Number of items in the collection.")
    items: list[SubstitutionItem] | None = None
