"""Foundation data for other services (fulfillment validates its orders with it): items with their
pack components, locations, item/location ranging and which suppliers supply which items."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from inventory.adapters.catalog import item_from, location_from
from inventory.domain.items import Item
from inventory.domain.locations import Location


@dataclass(frozen=True)
class PackComponent:
    item: str
    quantity: Decimal


@dataclass(frozen=True)
class SupplierItem:
    supplier: int
    item: str
    primary_supplier: bool


_ITEMS = """
SELECT i.item, i.description, i.item_type, i.standard_uom, i.sellable, i.customer_orderable,
       COALESCE((SELECT jsonb_object_agg(u.uom, u.factor::text) FROM uom_conversions u WHERE u.item = i.item),
                '{}'::jsonb) AS conversions,
       COALESCE((SELECT jsonb_agg(jsonb_build_array(p.component_item, p.quantity::text)
                                  ORDER BY p.component_item)
                 FROM pack_components p WHERE p.pack_item = i.item), '[]'::jsonb) AS components
FROM items i
WHERE i.item = ANY($1::text[])
ORDER BY i.item
"""

_LOCATIONS = """
SELECT location, location_type, name, virtual, stockholding, franchise, customer_order_location,
       physical_warehouse, channel_id, primary_virtual
FROM locations WHERE location = ANY($1::bigint[]) OR physical_warehouse = ANY($1::bigint[])
ORDER BY location
"""

_STATUSES = """
SELECT p.item, p.location, s.status
FROM unnest($1::text[], $2::bigint[]) AS p(item, location)
LEFT JOIN stock s ON s.item = p.item AND s.location = p.location
"""

_SUPPLIERS = "SELECT supplier, name FROM suppliers WHERE supplier = ANY($1::bigint[])"

_SUPPLIER_ITEMS = """
SELECT si.supplier, si.item, si.primary_supplier
FROM unnest($1::bigint[], $2::text[]) AS p(supplier, item)
JOIN supplier_items si ON si.supplier = p.supplier AND si.item = p.item
"""


async def items_with_components(
    conn: asyncpg.Connection | asyncpg.Pool, items: Collection[str]
) -> list[tuple[Item, list[PackComponent]]]:
    rows = await conn.fetch(_ITEMS, list(items))
    return [
        (
            item_from(row),
            [PackComponent(component, Decimal(quantity)) for component, quantity in row["components"]],
        )
        for row in rows
    ]


async def locations(conn: asyncpg.Connection | asyncpg.Pool, numbers: Collection[int]) -> list[Location]:
    """The locations, and the virtual warehouses of the physical warehouses among them."""
    return [location_from(row) for row in await conn.fetch(_LOCATIONS, list(numbers))]


async def statuses(
    conn: asyncpg.Connection | asyncpg.Pool, pairs: Collection[tuple[str, int]]
) -> dict[tuple[str, int], str | None]:
    """Status of each (item, location); None when the item is not ranged there."""
    ordered = list(pairs)
    rows = await conn.fetch(_STATUSES, [item for item, _ in ordered], [location for _, location in ordered])
    return {(row["item"], row["location"]): row["status"] for row in rows}


async def suppliers(conn: asyncpg.Connection | asyncpg.Pool, numbers: Collection[int]) -> dict[int, str]:
    return {row["supplier"]: row["name"] for row in await conn.fetch(_SUPPLIERS, list(numbers))}


async def supplier_items(
    conn: asyncpg.Connection | asyncpg.Pool, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], SupplierItem]:
    """The (supplier, item) pairs that exist: the supplier supplies the item."""
    ordered = list(pairs)
    rows = await conn.fetch(
        _SUPPLIER_ITEMS, [supplier for supplier, _ in ordered], [item for _, item in ordered]
    )
    return {
        (row["supplier"], row["item"]): SupplierItem(row["supplier"], row["item"], row["primary_supplier"])
        for row in rows
    }
