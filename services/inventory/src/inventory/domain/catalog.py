"""The foundation data one request needs: its items, its locations and their stock rows' statuses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from inventory.domain.errors import RuleBrokenError
from inventory.domain.items import Item, ItemStatus
from inventory.domain.locations import Location


@dataclass(frozen=True)
class Catalog:
    items: Mapping[str, Item] = field(default_factory=dict)
    locations: Mapping[int, Location] = field(default_factory=dict)
    """The requested locations and every virtual warehouse of the requested physical ones."""
    statuses: Mapping[tuple[str, int], ItemStatus] = field(default_factory=dict)
    """(item, location) -> status, for the items ranged at those locations."""

    @cached_property
    def virtual_warehouses(self) -> Mapping[int, list[Location]]:
        """Physical warehouse -> its virtual warehouses."""
        found: dict[int, list[Location]] = defaultdict(list)
        for location in self.locations.values():
            if location.physical_warehouse is not None:
                found[location.physical_warehouse].append(location)
        return found

    def item(self, number: str) -> Item:
        item = self.items.get(number)
        if item is None:
            raise RuleBrokenError(f"Item {number} does not exist")
        return item

    def location(self, number: int) -> Location:
        location = self.locations.get(number)
        if location is None:
            raise RuleBrokenError(f"Location {number} does not exist")
        return location

    def ranged_status(self, item: str, location: Location) -> ItemStatus:
        status = self.statuses.get((item, location.location))
        if status is None:
            raise RuleBrokenError(f"Item {item} is not ranged at {location.describe()}")
        return status
