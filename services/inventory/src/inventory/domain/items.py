"""Items: their types, their status at a location, and which of them customer orders may use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final


class ItemType(StrEnum):
    REGULAR = "REGULAR"
    PACK = "PACK"
    CATCHWEIGHT = "CATCHWEIGHT"
    TRANSFORMABLE = "TRANSFORMABLE"
    CONSIGNMENT = "CONSIGNMENT"
    CONCESSION = "CONCESSION"
    DEPOSIT_CONTAINER = "DEPOSIT_CONTAINER"


UNSUPPORTED_FOR_CUSTOMER_ORDERS: Final = frozenset(
    {
        ItemType.CATCHWEIGHT,
        ItemType.TRANSFORMABLE,
        ItemType.CONSIGNMENT,
        ItemType.CONCESSION,
        ItemType.DEPOSIT_CONTAINER,
    }
)
"""Types the specification refuses for backorders, substitutions and fulfillment orders."""

TYPE_NAMES: Final = {
    ItemType.REGULAR: "regular",
    ItemType.PACK: "pack",
    ItemType.CATCHWEIGHT: "catchweight",
    ItemType.TRANSFORMABLE: "transformable",
    ItemType.CONSIGNMENT: "consignment",
    ItemType.CONCESSION: "concession",
    ItemType.DEPOSIT_CONTAINER: "deposit container",
}


class ItemStatus(StrEnum):
    """Status of an item at a location (a stock row exists: the item is ranged there)."""

    ACTIVE = "A"
    DISCONTINUED = "C"
    INACTIVE = "I"


SELLING_STATUSES: Final = frozenset({ItemStatus.ACTIVE, ItemStatus.DISCONTINUED})
"""Statuses whose stock is available to customer orders (a discontinued item sells off its stock)."""


@dataclass(frozen=True)
class Item:
    item: str
    description: str
    item_type: ItemType
    standard_uom: str
    sellable: bool
    customer_orderable: bool
    conversions: Mapping[str, Decimal] = field(default_factory=dict)
    """Unit of measure -> standard units in one of it (e.g. `CS` -> 12 for a case of twelve)."""

    @property
    def type_name(self) -> str:
        return TYPE_NAMES[self.item_type]

    @property
    def supported_for_customer_orders(self) -> bool:
        return self.item_type not in UNSUPPORTED_FOR_CUSTOMER_ORDERS
