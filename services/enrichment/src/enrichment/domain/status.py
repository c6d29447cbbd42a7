"""Order statuses, which may change into which, and the status that fulfillment outcomes mean."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, Literal

OrderStatus = Literal["DRAFT", "SUBMITTED", "CONFIRMED", "PARTIALLY_CONFIRMED", "BACKORDERED", "CANCELLED"]
ConfirmationType = Literal["C", "P", "X", "R"]

FULFILLED_STATUSES: Final[frozenset[OrderStatus]] = frozenset(
    {"SUBMITTED", "CONFIRMED", "PARTIALLY_CONFIRMED", "BACKORDERED"}
)
"""Statuses a fulfillment outcome may move an order out of (and into, except SUBMITTED)."""


@dataclass(frozen=True)
class StatusChange:
    from_status: OrderStatus | None
    to_status: OrderStatus
    reason: str


def status_for_confirmations(confirmations: Collection[ConfirmationType]) -> OrderStatus:
    """All sub-orders C or R: CONFIRMED; all X: BACKORDERED; else (any P, C/R with X): PARTIALLY_CONFIRMED."""
    if not confirmations:
        raise ValueError("no fulfillment outcome to map")
    kinds = set(confirmations)
    if kinds <= {"C", "R"}:
        return "CONFIRMED"
    if kinds == {"X"}:
        return "BACKORDERED"
    return "PARTIALLY_CONFIRMED"
