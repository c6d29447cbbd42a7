"""Foundation data for other services: items (type, status per location, UOM, pack components),
locations, and whether a supplier supplies an item (fulfillment's purchase order rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from inventory.adapters import foundation
from inventory.adapters.foundation import PackComponent, SupplierItem
from inventory.domain.errors import NotFoundError
from inventory.domain.items import Item
from inventory.domain.locations import Location


@dataclass(frozen=True)
class FoundationAnswer:
    items: list[tuple[Item, list[PackComponent]]]
    locations: list[Location]
    item_locations: dict[tuple[str, int], str | None]
    suppliers: dict[int, str]
    supplier_items: list[tuple[int, str, SupplierItem | None]]


async def look_up(
    pool: asyncpg.Pool,
    *,
    items: Sequence[str],
    locations: Sequence[int],
    item_locations: Sequence[tuple[str, int]],
    supplier_items: Sequence[tuple[int, str]],
    at_virtual_warehouses: bool = False,
) -> FoundationAnswer:
    """Everything asked for in five queries; unknown items and locations are left out. With
    `at_virtual_warehouses`, item/locations at a physical warehouse among `locations` are also
    answered at each of its virtual warehouses."""
    supplied = await foundation.supplier_items(pool, supplier_items)
    found_locations = await foundation.locations(pool, locations)
    if at_virtual_warehouses:
        item_locations = with_virtual_warehouses(item_locations, found_locations)
    return FoundationAnswer(
        items=await foundation.items_with_components(pool, items),
        locations=found_locations,
        item_locations=await foundation.statuses(pool, item_locations),
        suppliers=await foundation.suppliers(pool, {supplier for supplier, _ in supplier_items}),
        supplier_items=[
            (supplier, item, supplied.get((supplier, item))) for supplier, item in supplier_items
        ],
    )


def with_virtual_warehouses(
    item_locations: Sequence[tuple[str, int]], locations: Sequence[Location]
) -> list[tuple[str, int]]:
    """The pairs, plus each pair at a physical warehouse repeated at its virtual warehouses."""
    virtual_of: dict[int, list[int]] = {}
    for found in locations:
        if found.virtual and found.physical_warehouse is not None:
            virtual_of.setdefault(found.physical_warehouse, []).append(found.location)
    extended = list(item_locations)
    for item, number in item_locations:
        extended += [(item, virtual) for virtual in virtual_of.get(number, [])]
    return list(dict.fromkeys(extended))


async def supplier_item(pool: asyncpg.Pool, supplier: int, item: str) -> SupplierItem:
    """The supplier supplies the item, or `NotFoundError` saying which part is missing."""
    found = await foundation.supplier_items(pool, [(supplier, item)])
    if (supplier, item) in found:
        return found[(supplier, item)]
    if not await foundation.suppliers(pool, [supplier]):
        raise NotFoundError(f"Supplier {supplier} does not exist")
    raise NotFoundError(f"Supplier {supplier} does not supply item {item}")


async def item(pool: asyncpg.Pool | asyncpg.Connection, number: str) -> tuple[Item, list[PackComponent]]:
    found = await foundation.items_with_components(pool, [number])
    if not found:
        raise NotFoundError(f"Item {number} does not exist")
    return found[0]


async def location(pool: asyncpg.Pool | asyncpg.Connection, number: int) -> list[Location]:
    """The location first, then its virtual warehouses (a physical warehouse)."""
    found = await foundation.locations(pool, [number])
    ordered = sorted(found, key=lambda candidate: candidate.location != number)
    if not ordered or ordered[0].location != number:
        raise NotFoundError(f"Location {number} does not exist")
    return ordered
