"""Use case results -> response bodies of the reservations API."""

from __future__ import annotations

from decimal import Decimal

from inventory.domain.holds import ReservationLine
from inventory.entrypoints.http.reservation_models import (
    ReservationLineOut,
    ReservationOut,
    ReserveLineResult,
    ReserveResponse,
    SubstituteOf,
)
from inventory.service_layer.reservations import ReservationView
from inventory.service_layer.reserving import ReserveResult


def line_out(line: ReservationLine, by_id: dict[int, ReservationLine]) -> ReservationLineOut:
    original = by_id.get(line.substitute_for_line_id) if line.substitute_for_line_id is not None else None
    return ReservationLineOut(
        item=line.item,
        location=line.location,
        item_line_no=line.item_line_no,
        uom=line.uom,
        requested_quantity=line.requested_quantity,
        quantity=line.quantity,
        released_quantity=line.released_quantity,
        expired_quantity=line.expired_quantity,
        status=line.status.value,
        expires_at=line.expires_at,
        substitute_of=None
        if original is None
        else SubstituteOf(item=original.item, item_line_no=original.item_line_no),
    )


def reservation_out(view: ReservationView) -> ReservationOut:
    by_id = {line.line_id: line for line in view.lines}
    return ReservationOut(
        reservation_id=str(view.reservation.reservation_id),
        customer_order_no=view.reservation.customer_order_no,
        fulfill_order_no=view.reservation.fulfill_order_no,
        lines=[line_out(line, by_id) for line in view.lines],
    )


def reserve_response(result: ReserveResult) -> ReserveResponse:
    lines = []
    for entry in result.lines:
        line = entry.line
        lines.append(
            ReserveLineResult(
                item=entry.requested.item,
                location=entry.requested.location if line is None else line.location,
                item_line_no=entry.requested.item_line_no,
                uom=None if line is None else line.uom,
                requested_quantity=entry.requested.quantity if line is None else line.requested_quantity,
                reserved_quantity=Decimal(0) if line is None else line.quantity,
                status="NOT_RESERVED" if line is None else line.status.value,
                expires_at=None if line is None else line.expires_at,
                reason=None if entry.reason is None else entry.reason.value,
                available_quantity=entry.available,
            )
        )
    reservation = result.reservation
    return ReserveResponse(
        reservation_id=str(reservation.reservation_id),
        customer_order_no=reservation.customer_order_no,
        fulfill_order_no=reservation.fulfill_order_no,
        outcome=result.outcome,
        lines=lines,
    )
