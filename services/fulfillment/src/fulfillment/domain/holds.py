"""What fulfillment asks of inventory: holds for new lines, and backorders for shortages."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fulfillment.domain.lines import Line, LineKey
from fulfillment.domain.sourcing import Kind


@dataclass(frozen=True)
class HoldLine:
    item: str
    location: int
    quantity: Decimal
    item_line_no: int | None

    @property
    def key(self) -> LineKey:
        return (self.item, self.item_line_no)


@dataclass(frozen=True)
class HoldResult:
    reservation_id: str
    reserved: dict[LineKey, Decimal]


@dataclass(frozen=True)
class BackorderLine:
    item: str
    location: int
    location_type: str
    channel_id: int | None
    quantity: Decimal


@dataclass(frozen=True)
class BackorderPlace:
    """Where a shortage is backordered: the source warehouse (with its channel) or store."""

    location: int
    location_type: str
    channel_id: int | None


def backorder_place(
    kind: Kind,
    source_location_type: str | None,
    source_location: int | None,
    fulfill_location: int,
    channel_id: int | None,
) -> BackorderPlace | None:
    """None for a purchase order: the supplier ships what it confirmed, nothing is backordered here."""
    if kind is Kind.PURCHASE_ORDER:
        return None
    if kind is Kind.TRANSFER and source_location is not None:
        if source_location_type == "WH":
            return BackorderPlace(source_location, "W", channel_id)
        return BackorderPlace(source_location, "S", None)
    return BackorderPlace(fulfill_location, "S", None)


def shortages(lines: Sequence[Line], place: BackorderPlace | None) -> list[BackorderLine]:
    """What the new lines could not get, as backorder increases at `place`."""
    if place is None:
        return []
    return [
        BackorderLine(
            line.item, place.location, place.location_type, place.channel_id, line.ordered - line.confirmed
        )
        for line in lines
        if line.confirmed < line.ordered
    ]
