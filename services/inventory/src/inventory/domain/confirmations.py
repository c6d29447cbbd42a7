"""What a fulfillment order's confirmation does to its holds (FulfillmentOrderCreated or the API).

- Confirmation `X` (nothing created): every HELD line is released.
- Otherwise every HELD line is confirmed. When the confirmation lists the line (item and
  itemLineNo) with a smaller confirmed quantity, the rest is released (zero: the whole line).
- A line that EXPIRED before the confirmation arrived is held again, if the stock is still there
  (only lines the confirmation lists, or all when it lists none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from inventory.domain.holds import LineKey, LineStatus, ReservationLine
from inventory.domain.releases import LineRelease, release_everything


@dataclass(frozen=True)
class ConfirmedQuantity:
    item: str
    item_line_no: int | None
    quantity: Decimal


@dataclass(frozen=True)
class Revival:
    line: ReservationLine
    quantity: Decimal


@dataclass(frozen=True)
class ConfirmationPlan:
    confirm: list[ReservationLine] = field(default_factory=list)
    releases: list[LineRelease] = field(default_factory=list)
    """Released entirely (X, or confirmed zero) or trimmed to the confirmed quantity."""
    revivals: list[Revival] = field(default_factory=list)


def _confirmed_by_key(details: Sequence[ConfirmedQuantity]) -> dict[LineKey, Decimal]:
    totals: dict[LineKey, Decimal] = defaultdict(Decimal)
    for detail in details:
        totals[(detail.item, detail.item_line_no)] += detail.quantity
    return dict(totals)


def plan_confirmation(
    lines: Sequence[ReservationLine], confirmation_type: str, details: Sequence[ConfirmedQuantity]
) -> ConfirmationPlan:
    held = [line for line in lines if line.status is LineStatus.HELD]
    if confirmation_type == "X":
        return ConfirmationPlan(releases=release_everything(held))
    confirmed = _confirmed_by_key(details)
    plan = ConfirmationPlan()
    for line in held:
        quantity = confirmed.get(line.key)
        if quantity is not None and quantity < line.quantity:
            plan.releases.append(LineRelease(line, line.quantity - max(quantity, Decimal(0))))
        if quantity is None or quantity > 0:
            plan.confirm.append(line)
    for line in lines:
        if line.status is not LineStatus.EXPIRED or line.expired_quantity <= 0:
            continue
        if confirmed and line.key not in confirmed:
            continue
        wanted = min(line.expired_quantity, confirmed.get(line.key, line.expired_quantity))
        if wanted > 0:
            plan.revivals.append(Revival(line, wanted))
    return plan
