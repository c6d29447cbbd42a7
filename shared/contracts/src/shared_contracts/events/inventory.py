"""Events of `inventory.stock.v1`, produced by inventory and keyed by `<item>@<location>`."""

from typing import ClassVar, Literal

from pydantic import Field

from shared_contracts import topics
from shared_contracts.events.base import Event
from shared_contracts.json_number import JsonDecimal
from shared_contracts.model import CamelModel


def stock_key(item: str, location: int) -> str:
    """The Kafka key of an item at a location: `<item>@<location>`."""
    return f"{item}@{location}"


class StockEvent(Event):
    """An event about the stock of items at locations."""

    topic: ClassVar[str] = topics.INVENTORY_STOCK


class BackorderAdjusted(StockEvent):
    """The backorder quantity of an item at a location changed."""

    event_type: ClassVar[str] = "BackorderAdjusted"

    item: str
    location: int
    location_type: Literal["S", "W"]
    channel_id: int | None = None
    adjustment: JsonDecimal = Field(description="The change, in the standard unit of measure.")
    backorder_quantity: JsonDecimal = Field(description="The new total backorder quantity.")
    uom: str

    def partition_key(self) -> str:
        return stock_key(self.item, self.location)


class SubstituteLine(CamelModel):
    substitute_item: str
    substitute_item_quantity: JsonDecimal
    substitute_item_quantity_uom: str


class ItemSubstituted(StockEvent):
    """A store substituted items on a customer order; the reservation moved to the substitutes."""

    event_type: ClassVar[str] = "ItemSubstituted"

    customer_order_no: str
    fulfill_order_no: str
    location: int
    item: str = Field(description="The original item.")
    quantity: JsonDecimal = Field(description="The revised order quantity of the original item.")
    cancelled_quantity: JsonDecimal = Field(description="The quantity of the original item cancelled.")
    uom: str
    item_line_no: int | None = None
    substitutes: list[SubstituteLine]

    def partition_key(self) -> str:
        return stock_key(self.item, self.location)


class ReservationLine(CamelModel):
    item: str
    location: int
    quantity: JsonDecimal
    uom: str


class ReservationEvent(StockEvent):
    """An event about one reservation (a hold of stock for a fulfillment order).

    Keyed by the first line's `<item>@<location>`: the topic has one key per message, and a
    reservation's events list their lines in the same order, so they share a partition.
    """

    reservation_id: str
    customer_order_no: str
    fulfill_order_no: str
    lines: list[ReservationLine] = Field(min_length=1)

    def partition_key(self) -> str:
        first = self.lines[0]
        return stock_key(first.item, first.location)


class InventoryReserved(ReservationEvent):
    """Stock was reserved for a fulfillment order."""

    event_type: ClassVar[str] = "InventoryReserved"


class InventoryReleased(ReservationEvent):
    """Reserved stock was given back (cancellation, substitution or an expired hold)."""

    event_type: ClassVar[str] = "InventoryReleased"

    reason: str | None = Field(
        default=None, description="Why the stock was released, e.g. CANCELLED, EXPIRED."
    )
