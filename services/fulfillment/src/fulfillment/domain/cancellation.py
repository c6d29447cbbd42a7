"""Cancelling quantities of a fulfillment order: each detail reduces the open quantity of its line
(or, without `itemLineNo`, of the item's open lines in line order); more than is open is refused."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from fulfillment.domain.lines import Line, LineKey


@dataclass(frozen=True)
class CancelRequest:
    item: str
    item_line_no: int | None
    quantity: Decimal


@dataclass(frozen=True)
class LineCancellation:
    key: LineKey
    quantity: Decimal


def plan_cancellation(
    lines: Sequence[Line], requests: Sequence[CancelRequest], where: str
) -> tuple[list[LineCancellation], list[str]]:
    """What each line loses, and the business errors (`where` names the fulfillment order)."""
    remaining = {line.key: line.open for line in lines}
    cancellations: list[LineCancellation] = []
    errors: list[str] = []
    for index, request in enumerate(requests):
        candidates = [
            line
            for line in lines
            if line.item == request.item
            and (request.item_line_no is None or line.item_line_no == request.item_line_no)
        ]
        label = (
            request.item if request.item_line_no is None else f"{request.item} line {request.item_line_no}"
        )
        if not candidates:
            errors.append(f"{where}.details[{index}]: item {label} is not on the fulfillment order")
            continue
        open_total = sum((remaining[line.key] for line in candidates), Decimal(0))
        if request.quantity <= 0:
            errors.append(f"{where}.details[{index}]: the cancel quantity must be greater than 0")
            continue
        if request.quantity > open_total:
            errors.append(
                f"{where}.details[{index}]: cannot cancel {request.quantity.normalize():f} of item {label}; "
                f"only {open_total.normalize():f} is open"
            )
            continue
        left = request.quantity
        for line in candidates:
            take = min(left, remaining[line.key])
            if take > 0:
                remaining[line.key] -= take
                cancellations.append(LineCancellation(line.key, take))
                left -= take
    return cancellations, errors
