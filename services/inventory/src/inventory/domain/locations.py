"""Locations: stores (physical or virtual, franchise, stockholding, customer-order location) and
warehouses (a physical warehouse holds no stock itself; its virtual warehouses do, one per channel)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

LocationType = Literal["S", "W"]


@dataclass(frozen=True)
class Location:
    location: int
    location_type: LocationType
    name: str
    virtual: bool
    stockholding: bool
    franchise: bool
    customer_order_location: bool
    """Stores: valid for customer orders; virtual warehouses: customer orderable."""
    physical_warehouse: int | None
    channel_id: int | None
    primary_virtual: bool

    @property
    def is_store(self) -> bool:
        return self.location_type == "S"

    @property
    def is_physical_warehouse(self) -> bool:
        return self.location_type == "W" and self.physical_warehouse is None

    @property
    def is_virtual_warehouse(self) -> bool:
        return self.location_type == "W" and self.physical_warehouse is not None

    def kind(self) -> str:
        """E.g. `physical franchise non-stockholding store`, `virtual warehouse`."""
        if self.is_store:
            kinds = ["virtual" if self.virtual else "physical"]
            if self.franchise:
                kinds.append("franchise")
            if not self.stockholding:
                kinds.append("non-stockholding")
            return f"{' '.join(kinds)} store"
        return "physical warehouse" if self.is_physical_warehouse else "virtual warehouse"

    def describe(self) -> str:
        return f"{self.kind()} {self.location}"


class LocationResolutionError(ValueError):
    """The requested location does not name a location that holds stock."""


def stock_location(
    requested: Location,
    requested_type: LocationType,
    channel_id: int | None,
    virtual_warehouses: Mapping[int, Sequence[Location]],
) -> Location:
    """The location whose stock a request for `requested` (+ channel) changes.

    A store is itself (the channel is ignored; the specification uses it for warehouses only) and
    must hold stock. A virtual warehouse is itself (a given channel must be its own). A physical
    warehouse is its virtual warehouse of the channel when one is given, else its primary one.
    """
    if requested.location_type != requested_type:
        kind = "store" if requested_type == "S" else "warehouse"
        raise LocationResolutionError(f"Location {requested.location} is not a {kind}")
    if requested.is_store:
        if not requested.stockholding:
            raise LocationResolutionError(f"Location {requested.location} is a {requested.kind()}")
        return requested
    if requested.is_virtual_warehouse:
        if channel_id is not None and requested.channel_id != channel_id:
            raise LocationResolutionError(
                f"Virtual warehouse {requested.location} is of channel {requested.channel_id}, "
                f"not {channel_id}"
            )
        return requested
    candidates = sorted(virtual_warehouses.get(requested.location, ()), key=lambda vw: vw.location)
    if channel_id is not None:
        of_channel = [vw for vw in candidates if vw.channel_id == channel_id]
        if not of_channel:
            raise LocationResolutionError(
                f"Physical warehouse {requested.location} has no virtual warehouse of channel {channel_id}"
            )
        orderable = [vw for vw in of_channel if vw.customer_order_location]
        return (orderable or of_channel)[0]
    primary = [vw for vw in candidates if vw.primary_virtual]
    if not primary:
        raise LocationResolutionError(
            f"Physical warehouse {requested.location} has no primary virtual warehouse; give a channelId"
        )
    return primary[0]
