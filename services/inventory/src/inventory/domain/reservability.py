"""Whether a line of a reservation request can hold stock at all, before looking at quantities."""

from __future__ import annotations

from decimal import Decimal

from inventory.domain.catalog import Catalog
from inventory.domain.holds import NotReservedReason
from inventory.domain.items import ItemStatus, ItemType
from inventory.domain.quantities import UnknownUnitOfMeasureError, to_standard_uom


def reservable_quantity(
    catalog: Catalog, item_number: str, location_number: int, quantity: Decimal, uom: str | None
) -> tuple[Decimal, str] | NotReservedReason:
    """(quantity, uom) in the item's standard unit of measure, or why the line holds nothing.

    Stock is held at stores and virtual warehouses (a physical warehouse holds none) where the
    item is ranged and not inactive; a pack at a store is estimated from its components and has no
    stock of its own to hold.
    """
    item = catalog.items.get(item_number)
    if item is None:
        return NotReservedReason.UNKNOWN_ITEM
    location = catalog.locations.get(location_number)
    if location is None:
        return NotReservedReason.UNKNOWN_LOCATION
    if not location.stockholding:
        return NotReservedReason.NOT_STOCKHOLDING
    status = catalog.statuses.get((item.item, location.location))
    if status is None:
        return NotReservedReason.NOT_RANGED
    if status is ItemStatus.INACTIVE:
        return NotReservedReason.INACTIVE
    if item.item_type is ItemType.PACK and location.is_store:
        return NotReservedReason.PACK_AT_STORE
    try:
        return to_standard_uom(item, quantity, uom), item.standard_uom
    except UnknownUnitOfMeasureError:
        return NotReservedReason.UNKNOWN_UOM
