"""Bodies of the internal foundation data API (camelCase JSON)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from shared_contracts.json_number import JsonDecimal
from shared_contracts.merchandising.types import Number10
from shared_contracts.model import RequestModel, StrictCamelModel

ItemNumber = Annotated[str, StringConstraints(min_length=1, max_length=25)]
MAX_ENTRIES = 1000


class ItemAt(RequestModel):
    item: ItemNumber
    location: Number10


class SupplierOf(RequestModel):
    supplier: Number10
    item: ItemNumber


class LookupRequest(RequestModel):
    items: list[ItemNumber] = Field(default_factory=list, max_length=MAX_ENTRIES)
    locations: list[Number10] = Field(default_factory=list, max_length=MAX_ENTRIES)
    item_locations: list[ItemAt] = Field(default_factory=list, max_length=MAX_ENTRIES)
    supplier_items: list[SupplierOf] = Field(default_factory=list, max_length=MAX_ENTRIES)
    at_virtual_warehouses: bool = Field(
        default=False,
        description="Each `itemLocations` entry at a physical warehouse named in `locations` is also "
        "answered for each of its virtual warehouses (those ship for it): no second lookup needed.",
    )


class Conversion(StrictCamelModel):
    uom: str
    factor: JsonDecimal = Field(description="Standard units in one `uom`.")


class Component(StrictCamelModel):
    item: str
    quantity: JsonDecimal


class ItemOut(StrictCamelModel):
    item: str
    description: str
    item_type: str = Field(
        description="REGULAR, PACK, CATCHWEIGHT, TRANSFORMABLE, CONSIGNMENT, CONCESSION or DEPOSIT_CONTAINER."
    )
    standard_uom: str
    sellable: bool
    customer_orderable: bool
    supported_for_customer_orders: bool = Field(
        description="False for the types refused for backorders, substitutions and fulfillment orders."
    )
    uom_conversions: list[Conversion]
    pack_components: list[Component]


class LocationOut(StrictCamelModel):
    location: int
    location_type: str = Field(description="S store, W warehouse.")
    name: str
    virtual: bool
    stockholding: bool
    franchise: bool
    customer_order_location: bool = Field(
        description="Stores: valid for customer orders; virtual warehouses: customer orderable."
    )
    physical_warehouse: int | None = None
    channel_id: int | None = None
    primary_virtual: bool


class ItemLocationOut(StrictCamelModel):
    item: str
    location: int
    ranged: bool
    status: str | None = Field(
        default=None, description="A active, C discontinued, I inactive; None: not ranged."
    )


class SupplierItemOut(StrictCamelModel):
    supplier: int
    item: str
    supplier_exists: bool
    supplied: bool
    primary_supplier: bool = False


class LookupResponse(StrictCamelModel):
    items: list[ItemOut]
    locations: list[LocationOut]
    item_locations: list[ItemLocationOut]
    supplier_items: list[SupplierItemOut]


class LocationResponse(StrictCamelModel):
    location: LocationOut
    virtual_warehouses: list[LocationOut] = Field(description="Of a physical warehouse; empty otherwise.")
