"""The events of `inventory.stock.v1`, built from what a use case changed."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from inventory.adapters.reservations import Reservation
from inventory.domain.backorders import BackorderChange
from inventory.domain.holds import ReservationLine
from inventory.domain.substitutions import SubstitutionPlan
from shared_contracts.events import (
    BackorderAdjusted,
    InventoryReleased,
    InventoryReserved,
    ItemSubstituted,
)
from shared_contracts.events.inventory import ReservationLine as EventLine
from shared_contracts.events.inventory import SubstituteLine

LineQuantity = tuple[ReservationLine, Decimal]


def backorder_adjusted(change: BackorderChange, total: Decimal) -> BackorderAdjusted:
    return BackorderAdjusted(
        item=change.item.item,
        location=change.location.location,
        location_type=change.location.location_type,
        channel_id=change.location.channel_id,
        adjustment=change.adjustment,
        backorder_quantity=total,
        uom=change.item.standard_uom,
    )


def item_substituted(plan: SubstitutionPlan) -> ItemSubstituted:
    return ItemSubstituted(
        customer_order_no=plan.request.customer_order_no,
        fulfill_order_no=plan.request.fulfill_order_no,
        location=plan.store.location,
        item=plan.original_item.item,
        quantity=plan.revised_quantity,
        cancelled_quantity=plan.cancelled_quantity,
        uom=plan.original_item.standard_uom,
        item_line_no=plan.request.item_line_no,
        substitutes=[
            SubstituteLine(
                substitute_item=substitute.item.item,
                substitute_item_quantity=substitute.quantity,
                substitute_item_quantity_uom=substitute.item.standard_uom,
            )
            for substitute in plan.substitutes
        ],
    )


def _lines(changed: Sequence[LineQuantity]) -> list[EventLine]:
    return [
        EventLine(item=line.item, location=line.location, quantity=quantity, uom=line.uom)
        for line, quantity in changed
        if quantity > 0
    ]


def inventory_reserved(reservation: Reservation, changed: Sequence[LineQuantity]) -> InventoryReserved | None:
    lines = _lines(changed)
    if not lines:
        return None
    return InventoryReserved(
        reservation_id=str(reservation.reservation_id),
        customer_order_no=reservation.customer_order_no,
        fulfill_order_no=reservation.fulfill_order_no,
        lines=lines,
    )


def inventory_released(
    reservation: Reservation, changed: Sequence[LineQuantity], reason: str
) -> InventoryReleased | None:
    lines = _lines(changed)
    if not lines:
        return None
    return InventoryReleased(
        reservation_id=str(reservation.reservation_id),
        customer_order_no=reservation.customer_order_no,
        fulfill_order_no=reservation.fulfill_order_no,
        lines=lines,
        reason=reason,
    )
