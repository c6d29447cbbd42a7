"""Get Available Inventory for Customer Orderable Items.

`POST /MerchIntegrations/services/customerOrders/availableInventory/get`
"""

from pydantic import Field

from shared_contracts.merchandising.types import (
    ItemNumber,
    LocationType,
    Number4,
    Number10,
    Number12_4,
    String4,
    YesNo,
)
from shared_contracts.model import RequestModel, StrictCamelModel


class InventoryLocation(RequestModel):
    """A location at which to check inventory."""

    location: Number10 = Field(description="The location at which to check item inventory.")
    location_type: LocationType = Field(description="S (store) or W (warehouse).")
    channel_id: Number4 | None = Field(
        default=None,
        description="Only used with a physical warehouse: limits the results to this channel.",
    )


class AvailableInventoryRequest(RequestModel):
    """Input of Get Available Inventory (the specification's `Get` object)."""

    items: list[ItemNumber] = Field(
        description=(
            "Transaction-level item numbers whose inventory is checked. The specification gives no "
            "length; each is an item identifier, String (25)."
        )
    )
    inventory_locations: list[InventoryLocation] = Field(description="The locations at which to check.")


class AvailableInventoryItem(StrictCamelModel):
    """Available inventory of one item at one location."""

    item: ItemNumber
    location: Number10 = Field(description="A store or a warehouse.")
    location_type: LocationType
    channel_id: Number4 | None = Field(
        default=None, description="Channel of the warehouse; blank for a store."
    )
    available_quantity: Number12_4 = Field(description="Available quantity in the standard unit of measure.")
    uom: String4 = Field(description="Unit of measure of the available quantity.")
    pack_calculate_ind: YesNo | None = Field(
        default=None,
        description=(
            "Pack items only: Y when the quantity is estimated from the pack's components, "
            "N when it is a held value."
        ),
    )


class AvailableInventoryResponse(StrictCamelModel):
    """Answer of Get Available Inventory (the specification's `GetResponse` object)."""

    items: list[AvailableInventoryItem] | None = None
