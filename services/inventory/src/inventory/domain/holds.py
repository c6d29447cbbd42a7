"""Reservation lines (holds) of a fulfillment order: states, identity, and how quantities are shared.

A reservation belongs to one fulfillment order (`customerOrderNo` + `fulfillOrderNo`); its lines
are identified by item and `itemLineNo`. A line is

- `HELD`: reserved (counted in the customer reserved bucket) until `expires_at`;
- `CONFIRMED`: reserved with no expiry (the fulfillment order committed);
- `RELEASED`: given back (cancellation, substitution down to zero, a fulfillment order confirmed X);
- `EXPIRED`: given back by the sweeper because nobody confirmed it in time.

Only `HELD` and `CONFIRMED` lines count: customer reserved at an item/location is the sum of
their quantities there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final, Literal


class LineStatus(StrEnum):
    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


OPEN_STATUSES: Final = frozenset({LineStatus.HELD, LineStatus.CONFIRMED})

Outcome = Literal["FULL", "PARTIAL", "NONE"]

LineKey = tuple[str, int | None]
"""(item, itemLineNo): a line's identity within its fulfillment order."""


class NotReservedReason(StrEnum):
    INSUFFICIENT_INVENTORY = "INSUFFICIENT_INVENTORY"
    ALL_OR_NOTHING = "ALL_OR_NOTHING"
    """The line could have been reserved, but another line of the all-or-nothing request could not."""
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNKNOWN_LOCATION = "UNKNOWN_LOCATION"
    NOT_STOCKHOLDING = "NOT_STOCKHOLDING"
    NOT_RANGED = "NOT_RANGED"
    INACTIVE = "INACTIVE"
    PACK_AT_STORE = "PACK_AT_STORE"
    UNKNOWN_UOM = "UNKNOWN_UOM"


@dataclass(frozen=True)
class ReservationLine:
    line_id: int
    item: str
    location: int
    item_line_no: int | None
    uom: str
    requested_quantity: Decimal
    quantity: Decimal
    """What the line holds now (0 unless HELD or CONFIRMED)."""
    released_quantity: Decimal
    expired_quantity: Decimal
    """What the line held when it expired (it is held again if its fulfillment order confirms)."""
    status: LineStatus
    expires_at: datetime | None
    substitute_for_line_id: int | None = None

    @property
    def key(self) -> LineKey:
        return (self.item, self.item_line_no)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def allocate(granted: Decimal, wanted: Sequence[Decimal]) -> list[Decimal]:
    """Share `granted` among lines wanting `wanted` of the same item/location, first line first."""
    left = granted
    shares = []
    for quantity in wanted:
        share = min(quantity, max(left, Decimal(0)))
        shares.append(share)
        left -= share
    return shares


def outcome(requested: Sequence[Decimal], reserved: Sequence[Decimal]) -> Outcome:
    """`FULL` when every line holds what it asked for, `NONE` when none holds anything, else `PARTIAL`."""
    if all(held >= wanted for wanted, held in zip(requested, reserved, strict=True)):
        return "FULL"
    if all(held <= 0 for held in reserved):
        return "NONE"
    return "PARTIAL"


def released(line: ReservationLine, quantity: Decimal) -> ReservationLine:
    """`line` after giving back `quantity` of what it holds (all of it: RELEASED)."""
    remaining = line.quantity - quantity
    if remaining < 0:
        raise ValueError(f"line {line.line_id} holds {line.quantity}, cannot release {quantity}")
    closed = remaining == 0
    return replace(
        line,
        quantity=remaining,
        released_quantity=line.released_quantity + quantity,
        status=LineStatus.RELEASED if closed else line.status,
        expires_at=None if closed else line.expires_at,
    )


def confirmed(line: ReservationLine) -> ReservationLine:
    return replace(line, status=LineStatus.CONFIRMED, expires_at=None)


def held(
    line: ReservationLine, quantity: Decimal, status: LineStatus, expires_at: datetime | None
) -> ReservationLine:
    """`line` holding `quantity` again (an expired line revived, a substitute line retargeted)."""
    return replace(
        line,
        quantity=quantity,
        expired_quantity=Decimal(0),
        status=status,
        expires_at=expires_at if status is LineStatus.HELD else None,
    )


def refreshed(line: ReservationLine, expires_at: datetime) -> ReservationLine:
    """A HELD line asked for again: its expiry moves out (never in)."""
    current = line.expires_at
    return replace(line, expires_at=expires_at if current is None or expires_at > current else current)
