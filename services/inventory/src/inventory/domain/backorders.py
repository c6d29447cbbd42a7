"""Backorder adjustments: which stock row each line changes, by how much, or why it may not.

Rules (specification and API.md): the item exists and is not catchweight, transformable,
consignment, concession or a deposit container; the location is a stockholding store or a
warehouse (a physical warehouse resolves to its virtual warehouse of the channel, else its
primary one); the item is ranged there and not discontinued; the quantity is converted to the
standard unit of measure. The bucket never goes below zero (checked by the conditional update).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from inventory.domain.catalog import Catalog
from inventory.domain.errors import RuleBrokenError, collect
from inventory.domain.items import Item, ItemStatus
from inventory.domain.locations import Location, LocationResolutionError, stock_location
from inventory.domain.quantities import UnknownUnitOfMeasureError, to_standard_uom
from shared_contracts.merchandising import BackorderItem


@dataclass(frozen=True)
class BackorderChange:
    index: int
    item: Item
    location: Location
    """The stock location whose backorder bucket changes (a store or a virtual warehouse)."""
    adjustment: Decimal
    """Signed, in the item's standard unit of measure."""


def _change(index: int, line: BackorderItem, catalog: Catalog) -> BackorderChange:
    item = catalog.item(line.item)
    if not item.supported_for_customer_orders:
        raise RuleBrokenError(
            f"Item {item.item} is a {item.type_name} item; {item.type_name} items are not supported "
            "for backorders"
        )
    requested = catalog.location(line.location)
    try:
        target = stock_location(requested, line.location_type, line.channel_id, catalog.virtual_warehouses)
    except LocationResolutionError as error:
        raise RuleBrokenError(str(error)) from error
    if catalog.ranged_status(item.item, target) is ItemStatus.DISCONTINUED:
        raise RuleBrokenError(f"Item {item.item} is discontinued at {target.describe()}")
    try:
        adjustment = to_standard_uom(item, line.backorder_quantity, line.uom)
    except UnknownUnitOfMeasureError as error:
        raise RuleBrokenError(str(error)) from error
    return BackorderChange(index, item, target, adjustment)


def plan_backorder_changes(lines: Sequence[BackorderItem], catalog: Catalog) -> list[BackorderChange]:
    """Every line's change, or a `BusinessRuleError` naming every line that breaks a rule."""
    changes: list[BackorderChange] = []
    errors: list[str] = []
    for index, line in enumerate(lines):
        try:
            changes.append(_change(index, line, catalog))
        except RuleBrokenError as error:
            errors.append(f"items[{index}]: {error}")
    collect(errors)
    return changes


def below_zero_error(change: BackorderChange, current: Decimal | None) -> str:
    """The business error of a decrease the bucket cannot take."""
    held = "nothing" if current is None else f"{current.normalize():f} {change.item.standard_uom}"
    return (
        f"items[{change.index}]: The backorder quantity of item {change.item.item} at "
        f"{change.location.describe()} cannot go below zero (it holds {held}; adjustment "
        f"{change.adjustment.normalize():f})"
    )
