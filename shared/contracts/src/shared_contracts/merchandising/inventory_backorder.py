"""Create Inventory Backorder.

`POST /MerchIntegrations/services/customerOrders/inventoryBackorder/create`
"""

from pydantic import Field

from shared_contracts.merchandising.types import (
    ItemNumber,
    LocationType,
    Number4,
    Number10,
    Number12_4,
    String4,
)
from shared_contracts.model import RequestModel


class BackorderItem(RequestModel):
    """A backorder adjustment for one item at one location."""

    item: ItemNumber = Field(
        description=(
            "Catchweight, transformable, consignment, concession and deposit container items are not "
            "supported; the item must not be discontinued at the location."
        )
    )
    location_type: LocationType = Field(description="S (store) or W (warehouse).")
    location: Number10 = Field(description="A store or a physical warehouse.")
    channel_id: Number4 | None = Field(default=None, description="Channel of the physical warehouse.")
    backorder_quantity: Number12_4 = Field(
        description=(
            "Quantity by which the backorder changes: positive when a backorder is taken, negative when "
            "it is released for fulfillment or cancelled."
        )
    )
    uom: String4 | None = Field(
        default=None, description="Unit of measure of the quantity; the standard one when absent."
    )


class InventoryBackorderRequest(RequestModel):
    """Input of Create Inventory Backorder (the specification's `Create` object)."""

    collection_size: Number4 = Field(description="Number of items in the collection.")
    items: list[BackorderItem] | None = None
