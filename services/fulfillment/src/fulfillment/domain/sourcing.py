"""Where a fulfillment order's stock comes from, by its source (the specification's three cases).

- `SU` (supplier): a purchase order; nothing is held in inventory, the supplier must supply each item.
- `ST` (store) or `WH` (warehouse): a transfer; stock is held at the store, or at the warehouse's
  customer-orderable virtual warehouse (the one of the preferred channel, else its primary one).
- no source: an inventory reservation at the fulfilling store (confirmation `R`).
"""

from dataclasses import dataclass
from enum import StrEnum

from fulfillment.domain.foundation import Foundation, LocationInfo


class Kind(StrEnum):
    PURCHASE_ORDER = "PURCHASE_ORDER"
    TRANSFER = "TRANSFER"
    RESERVATION = "RESERVATION"


@dataclass(frozen=True)
class Sourcing:
    kind: Kind
    hold_location: int | None
    """Where inventory holds the stock; None for a purchase order."""


def kind_of(source_location_type: str | None) -> Kind:
    if source_location_type == "SU":
        return Kind.PURCHASE_ORDER
    if source_location_type in ("ST", "WH"):
        return Kind.TRANSFER
    return Kind.RESERVATION


def shipping_warehouse(
    warehouse: LocationInfo, foundation: Foundation, channel_id: int | None
) -> LocationInfo | None:
    """The virtual warehouse that ships for `warehouse` (itself when it is virtual)."""
    if warehouse.virtual:
        return warehouse if warehouse.customer_order_location else None
    candidates = [
        vw for vw in foundation.virtual_warehouses(warehouse.location) if vw.customer_order_location
    ]
    for preferred in (
        [vw for vw in candidates if channel_id is not None and vw.channel_id == channel_id],
        [vw for vw in candidates if vw.primary_virtual],
        candidates,
    ):
        if preferred:
            return preferred[0]
    return None


def sourcing_of(
    source_location_type: str | None,
    source_location: int | None,
    fulfill_location: int,
    foundation: Foundation,
    channel_id: int | None,
) -> Sourcing | None:
    """The order's sourcing; None when its warehouse has no virtual warehouse to ship from."""
    kind = kind_of(source_location_type)
    if kind is Kind.PURCHASE_ORDER:
        return Sourcing(kind, None)
    if kind is Kind.RESERVATION or source_location is None:
        return Sourcing(Kind.RESERVATION, fulfill_location)
    if source_location_type == "ST":
        return Sourcing(kind, source_location)
    warehouse = foundation.locations.get(source_location)
    shipping = None if warehouse is None else shipping_warehouse(warehouse, foundation, channel_id)
    return None if shipping is None else Sourcing(kind, shipping.location)
