"""Giving reserved quantities back: which lines release how much for a request naming items."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from inventory.domain.errors import BusinessRuleError
from inventory.domain.holds import ReservationLine

RELEASE_EXCEEDS_OPEN = "RELEASE_EXCEEDS_OPEN"


@dataclass(frozen=True)
class ReleaseRequest:
    item: str
    item_line_no: int | None
    """None: any open line of the item, oldest first."""
    quantity: Decimal


@dataclass(frozen=True)
class LineRelease:
    line: ReservationLine
    quantity: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.line.quantity - self.quantity


def release_everything(lines: Iterable[ReservationLine]) -> list[LineRelease]:
    return [LineRelease(line, line.quantity) for line in lines if line.is_open and line.quantity > 0]


def _matches(line: ReservationLine, request: ReleaseRequest) -> bool:
    return (
        line.is_open
        and line.item == request.item
        and (request.item_line_no is None or line.item_line_no == request.item_line_no)
    )


def plan_release(
    lines: Sequence[ReservationLine], requests: Sequence[ReleaseRequest], *, strict: bool
) -> list[LineRelease]:
    """Per open line, how much to release. With `strict`, asking for more than is open is a
    `BusinessRuleError` (code `RELEASE_EXCEEDS_OPEN`); otherwise what is open is released."""
    planned: dict[int, Decimal] = {}
    errors = []
    ordered = sorted(lines, key=lambda line: line.line_id)
    for index, request in enumerate(requests):
        needed = request.quantity
        for line in (candidate for candidate in ordered if _matches(candidate, request)):
            free = line.quantity - planned.get(line.line_id, Decimal(0))
            take = min(free, needed)
            if take > 0:
                planned[line.line_id] = planned.get(line.line_id, Decimal(0)) + take
                needed -= take
        if needed > 0 and strict:
            line_text = "" if request.item_line_no is None else f" (itemLineNo {request.item_line_no})"
            errors.append(
                f"lines[{index}]: cannot release {request.quantity.normalize():f} of item "
                f"{request.item}{line_text}: only {(request.quantity - needed).normalize():f} is open"
            )
    if errors:
        raise BusinessRuleError(errors, code=RELEASE_EXCEEDS_OPEN)
    by_id = {line.line_id: line for line in ordered}
    return [LineRelease(by_id[line_id], quantity) for line_id, quantity in planned.items()]
