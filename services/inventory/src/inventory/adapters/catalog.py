"""Reading the foundation data a request needs, in a fixed number of queries whatever its size."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

import asyncpg

from inventory.domain.catalog import Catalog
from inventory.domain.items import Item, ItemStatus, ItemType
from inventory.domain.locations import Location

_ITEMS = """
SELECT i.item, i.description, i.item_type, i.standard_uom, i.sellable, i.customer_orderable,
       COALESCE(jsonb_object_agg(u.uom, u.factor::text) FILTER (WHERE u.uom IS NOT NULL), '{}'::jsonb)
           AS conversions
FROM items i
LEFT JOIN uom_conversions u ON u.item = i.item
WHERE i.item = ANY($1::text[])
GROUP BY i.item
"""

_LOCATIONS = """
SELECT location, location_type, name, virtual, stockholding, franchise, customer_order_location,
       physical_warehouse, channel_id, primary_virtual
FROM locations
WHERE location = ANY($1::bigint[]) OR physical_warehouse = ANY($1::bigint[])
"""

_STATUSES = """
SELECT item, location, status FROM stock WHERE item = ANY($1::text[]) AND location = ANY($2::bigint[])
"""


def item_from(row: asyncpg.Record) -> Item:
    return Item(
        item=row["item"],
        description=row["description"],
        item_type=ItemType(row["item_type"]),
        standard_uom=row["standard_uom"],
        sellable=row["sellable"],
        customer_orderable=row["customer_orderable"],
        conversions={uom: Decimal(factor) for uom, factor in row["conversions"].items()},
    )


def location_from(row: asyncpg.Record) -> Location:
    return Location(
        location=row["location"],
        location_type=row["location_type"],
        name=row["name"],
        virtual=row["virtual"],
        stockholding=row["stockholding"],
        franchise=row["franchise"],
        customer_order_location=row["customer_order_location"],
        physical_warehouse=row["physical_warehouse"],
        channel_id=row["channel_id"],
        primary_virtual=row["primary_virtual"],
    )


async def load_catalog(
    conn: asyncpg.Connection, items: Collection[str], locations: Collection[int]
) -> Catalog:
    """The items, the locations (with the virtual warehouses of physical ones) and the statuses
    of those items at those locations: three queries."""
    item_rows = await conn.fetch(_ITEMS, list(items))
    location_rows = await conn.fetch(_LOCATIONS, list(locations))
    found_locations = {row["location"]: location_from(row) for row in location_rows}
    status_rows = await conn.fetch(_STATUSES, list(items), list(found_locations))
    return Catalog(
        items={row["item"]: item_from(row) for row in item_rows},
        locations=found_locations,
        statuses={(row["item"], row["location"]): ItemStatus(row["status"]) for row in status_rows},
    )
