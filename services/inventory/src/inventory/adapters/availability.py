"""Available inventory of many items at many locations: one SQL statement, answered as JSON text.

PostgreSQL resolves the locations (a store is itself when it is a stockholding customer-order
location; a physical warehouse is its customer-orderable virtual warehouses, of the channel when
one is given), joins the sellable, customer-orderable items ranged there (active or
discontinued), estimates packs at stores from their components, and builds the specification's
`GetResponse` document, so no per-row work happens in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

AVAILABLE_INVENTORY = """
WITH wanted_items AS (
    SELECT item, min(position) AS item_position
    FROM unnest($1::text[]) WITH ORDINALITY AS w(item, position)
    GROUP BY item
),
wanted_locations AS (
    SELECT location, location_type, channel_id, position
    FROM unnest($2::bigint[], $3::text[], $4::integer[]) WITH ORDINALITY
        AS w(location, location_type, channel_id, position)
),
targets AS (
    SELECT w.position, l.location, 'S' AS location_type, NULL::integer AS channel_id
    FROM wanted_locations w
    JOIN locations l ON l.location = w.location
    WHERE w.location_type = 'S' AND l.location_type = 'S' AND l.customer_order_location AND l.stockholding
    UNION ALL
    SELECT w.position, v.location, 'W', v.channel_id
    FROM wanted_locations w
    JOIN locations v ON v.location_type = 'W' AND v.physical_warehouse IS NOT NULL
        AND (v.physical_warehouse = w.location OR v.location = w.location)
    WHERE w.location_type = 'W' AND v.customer_order_location
        AND (w.channel_id IS NULL OR v.channel_id = w.channel_id)
),
resolved AS (
    SELECT DISTINCT ON (location) position AS location_position, location, location_type, channel_id
    FROM targets
    ORDER BY location, position
),
found AS (
    SELECT w.item, w.item_position, r.location_position, r.location, r.location_type, r.channel_id,
           i.item_type, i.standard_uom, s.available
    FROM wanted_items w
    JOIN items i ON i.item = w.item AND i.sellable AND i.customer_orderable
    CROSS JOIN resolved r
    JOIN stock s ON s.item = w.item AND s.location = r.location AND s.status IN ('A', 'C')
)
SELECT json_build_object('items', COALESCE(json_agg(json_strip_nulls(json_build_object(
        'item', f.item,
        'location', f.location,
        'locationType', f.location_type,
        'channelId', f.channel_id,
        'availableQuantity', trim_scale(
            CASE WHEN f.item_type = 'PACK' AND f.location_type = 'S' THEN pack.quantity ELSE f.available END),
        'uom', f.standard_uom,
        'packCalculateInd', CASE WHEN f.item_type = 'PACK'
            THEN CASE WHEN f.location_type = 'S' THEN 'Y' ELSE 'N' END END
    )) ORDER BY f.item_position, f.location_position, f.location), '[]'::json))::text
FROM found f
LEFT JOIN LATERAL (
    SELECT COALESCE(min(floor(COALESCE(c.available, 0) / p.quantity)), 0) AS quantity
    FROM pack_components p
    LEFT JOIN stock c ON c.item = p.component_item AND c.location = f.location AND c.status IN ('A', 'C')
    WHERE p.pack_item = f.item
) pack ON f.item_type = 'PACK' AND f.location_type = 'S'
"""


async def available_inventory_json(
    conn: asyncpg.Connection | asyncpg.Pool,
    items: Sequence[str],
    locations: Sequence[tuple[int, str, int | None]],
) -> str:
    """The `GetResponse` JSON of `items` at `locations` (number, type S|W, channel or None)."""
    document: str = await conn.fetchval(
        AVAILABLE_INVENTORY,
        list(items),
        [location for location, _, _ in locations],
        [location_type for _, location_type, _ in locations],
        [channel for _, _, channel in locations],
    )
    return document
