"""Domain objects for unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from inventory.domain.catalog import Catalog
from inventory.domain.holds import LineStatus, ReservationLine
from inventory.domain.items import Item, ItemStatus, ItemType
from inventory.domain.locations import Location

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


def item(number: str, item_type: ItemType = ItemType.REGULAR, **conversions: int) -> Item:
    return Item(
        number, number, item_type, "EA", True, True, {uom: Decimal(f) for uom, f in conversions.items()}
    )


def store(number: int, *, stockholding: bool = True, franchise: bool = False) -> Location:
    return Location(number, "S", "", False, stockholding, franchise, True, None, None, False)


def physical_warehouse(number: int) -> Location:
    return Location(number, "W", "", False, False, False, False, None, None, False)


def virtual_warehouse(
    number: int, physical: int, channel: int, *, orderable: bool = True, primary: bool = False
):
    return Location(number, "W", "", True, True, False, orderable, physical, channel, primary)


def catalog(items: list[Item], locations: list[Location], statuses: dict[tuple[str, int], str]) -> Catalog:
    return Catalog(
        {i.item: i for i in items},
        {loc.location: loc for loc in locations},
        {key: ItemStatus(status) for key, status in statuses.items()},
    )


def line(
    line_id: int, item_number: str, quantity: int, status: LineStatus = LineStatus.CONFIRMED, **fields: Any
):
    values: dict[str, Any] = {
        "line_id": line_id,
        "item": item_number,
        "location": 1,
        "item_line_no": line_id,
        "uom": "EA",
        "requested_quantity": Decimal(quantity),
        "quantity": Decimal(quantity),
        "released_quantity": Decimal(0),
        "expired_quantity": Decimal(0),
        "status": status,
        "expires_at": NOW if status is LineStatus.HELD else None,
        **fields,
    }
    return ReservationLine(**values)
