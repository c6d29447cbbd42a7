"""Get Available Inventory for Customer Orderable Items: one query for any number of items and
locations (bounded by `max_pairs`), answered as the specification's `GetResponse` JSON."""

from __future__ import annotations

import asyncpg

from inventory.adapters.availability import available_inventory_json
from inventory.domain.errors import FieldProblem, InvalidRequestError
from shared_contracts.merchandising import AvailableInventoryRequest

EMPTY_RESPONSE = '{"items": []}'


async def available_inventory(
    pool: asyncpg.Pool | asyncpg.Connection, request: AvailableInventoryRequest, *, max_pairs: int
) -> str:
    """Unknown items and locations, and those not valid for customer orders, are simply absent."""
    items = list(dict.fromkeys(request.items))
    locations = list(
        dict.fromkeys(
            (location.location, location.location_type, location.channel_id)
            for location in request.inventory_locations
        )
    )
    pairs = len(items) * len(locations)
    if pairs > max_pairs:
        raise InvalidRequestError(
            [
                FieldProblem(
                    "items",
                    f"at most {max_pairs} item/location pairs per request "
                    f"({len(items)} items x {len(locations)} locations = {pairs})",
                    len(items),
                )
            ]
        )
    if not pairs:
        return EMPTY_RESPONSE
    return await available_inventory_json(pool, items, locations)
