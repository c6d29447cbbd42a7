"""A fulfillment order's lines and the confirmation they add up to."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from fulfillment.domain.sourcing import Kind

ConfirmationType = Literal["C", "P", "X", "R"]
LineKey = tuple[str, int | None]
"""(item, itemLineNo): a line's identity within its fulfillment order (as inventory's holds)."""


@dataclass(frozen=True)
class Line:
    item: str
    item_line_no: int | None
    ordered: Decimal
    confirmed: Decimal
    """What the purchase order, transfer or reservation took (0 to `ordered`)."""
    uom: str
    cancelled: Decimal = Decimal(0)
    reference_item: str | None = None

    @property
    def key(self) -> LineKey:
        return (self.item, self.item_line_no)

    @property
    def open(self) -> Decimal:
        return self.confirmed - self.cancelled


def confirmation_type(kind: Kind, lines: Sequence[Line]) -> ConfirmationType:
    """C (or R for a reservation) when every line is confirmed in full, X when none got anything,
    otherwise P. Whether P may happen is decided earlier, by the hold mode (`partialDeliveryInd`)."""
    if lines and all(line.confirmed >= line.ordered for line in lines):
        return "R" if kind is Kind.RESERVATION else "C"
    if all(line.confirmed <= 0 for line in lines):
        return "X"
    return "P"


def partial_allowed(partial_delivery_ind: str) -> bool:
    """The specification: `N` = the order can be picked and shipped partially, `Y` = only when complete."""
    return partial_delivery_ind == "N"


def all_or_nothing(lines: Sequence[Line]) -> list[Line]:
    """New lines of an order that may not ship partially: all confirmed in full, or none at all."""
    if all(line.confirmed >= line.ordered for line in lines):
        return list(lines)
    return [
        Line(
            line.item,
            line.item_line_no,
            line.ordered,
            Decimal(0),
            line.uom,
            reference_item=line.reference_item,
        )
        for line in lines
    ]
