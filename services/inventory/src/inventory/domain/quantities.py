"""Quantities: four decimal places (the specification's `Number (12,4)`) and units of measure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from inventory.domain.items import Item

SCALE: Final = Decimal("0.0001")
MAX_QUANTITY: Final = Decimal("99999999.9999")
"""The largest `Number (12,4)`: what a stock bucket can hold."""


def quantize(value: Decimal) -> Decimal:
    """`value` rounded half-up to four decimal places."""
    return value.quantize(SCALE, rounding=ROUND_HALF_UP)


class UnknownUnitOfMeasureError(ValueError):
    """The item has no conversion from the given unit of measure to its standard one."""


def to_standard_uom(item: Item, quantity: Decimal, uom: str | None) -> Decimal:
    """`quantity` of `uom` (the standard one when None) in the item's standard unit of measure."""
    if uom is None or uom == item.standard_uom:
        return quantize(quantity)
    factor = item.conversions.get(uom)
    if factor is None:
        known = ", ".join(sorted([item.standard_uom, *item.conversions]))
        raise UnknownUnitOfMeasureError(
            f"Item {item.item} has no conversion from {uom} to its standard unit of measure "
            f"{item.standard_uom} (known: {known})"
        )
    return quantize(quantity * factor)
