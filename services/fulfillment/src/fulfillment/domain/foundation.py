"""Inventory's foundation data as fulfillment sees it: what the validation and sourcing rules read."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, TypeVar

T = TypeVar("T")

DISCONTINUED: Final = "C"
INACTIVE: Final = "I"


@dataclass(frozen=True)
class ItemInfo:
    item: str
    item_type: str
    standard_uom: str
    sellable: bool
    customer_orderable: bool
    supported: bool
    """False for catchweight, transformable, consignment, concession and deposit container items."""
    uoms: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LocationInfo:
    location: int
    location_type: str
    """S store, W warehouse."""
    virtual: bool
    stockholding: bool
    franchise: bool
    customer_order_location: bool
    physical_warehouse: int | None = None
    channel_id: int | None = None
    primary_virtual: bool = False

    @property
    def is_store(self) -> bool:
        return self.location_type == "S"

    @property
    def is_physical_warehouse(self) -> bool:
        return self.location_type == "W" and not self.virtual

    @property
    def franchise_non_stockholding(self) -> bool:
        return self.franchise and not self.stockholding


@dataclass(frozen=True)
class Foundation:
    items: Mapping[str, ItemInfo] = field(default_factory=dict)
    locations: Mapping[int, LocationInfo] = field(default_factory=dict)
    statuses: Mapping[tuple[str, int], str | None] = field(default_factory=dict)
    """(item, location) -> A active, C discontinued, I inactive; None: not ranged."""
    suppliers: frozenset[int] = frozenset()
    supplied: frozenset[tuple[int, str]] = frozenset()
    """(supplier, item) pairs where the supplier supplies the item."""

    def virtual_warehouses(self, physical: int) -> list[LocationInfo]:
        return sorted(
            (loc for loc in self.locations.values() if loc.virtual and loc.physical_warehouse == physical),
            key=lambda loc: loc.location,
        )

    def status(self, item: str, location: int) -> str | None:
        return self.statuses.get((item, location))


@dataclass(frozen=True)
class FoundationQuery:
    """What one lookup call asks inventory for."""

    items: tuple[str, ...]
    locations: tuple[int, ...]
    item_locations: tuple[tuple[str, int], ...]
    supplier_items: tuple[tuple[int, str], ...]
    at_virtual_warehouses: bool = False
    """Item/locations at a physical warehouse are also answered at its virtual warehouses."""


def unique(values: Iterable[T]) -> tuple[T, ...]:
    """The values in first-seen order, each once."""
    return tuple(dict.fromkeys(values))
