"""Bodies of the internal reservations API (camelCase JSON, unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared_contracts.json_number import JsonDecimal
from shared_contracts.merchandising.types import Number10, Number12_4, String4
from shared_contracts.model import RequestModel, StrictCamelModel

OrderNumber = Annotated[str, StringConstraints(min_length=1, max_length=48)]
ItemNumber = Annotated[str, StringConstraints(min_length=1, max_length=25)]
Token = Annotated[str, StringConstraints(min_length=1, max_length=64)]

LineStatusName = Literal["HELD", "CONFIRMED", "RELEASED", "EXPIRED"]


class ReserveLine(RequestModel):
    item: ItemNumber
    location: Number10 = Field(description="A store or a virtual warehouse (where stock is held).")
    quantity: Number12_4 = Field(
        gt=0, description="In `uom` (the item's standard unit of measure when absent)."
    )
    uom: String4 | None = None
    item_line_no: Number10 | None = Field(
        default=None, description="With the item, the line's identity within the fulfillment order."
    )


class ReserveRequest(RequestModel):
    customer_order_no: OrderNumber
    fulfill_order_no: OrderNumber
    hold_seconds: int | None = Field(
        default=None, ge=1, description="Expiry of the holds; the service's default when absent."
    )
    mode: Literal["ALL_OR_NOTHING", "PARTIAL"] = Field(
        default="ALL_OR_NOTHING",
        description="ALL_OR_NOTHING: every new line in full or none; PARTIAL: each line what is available.",
    )
    lines: list[ReserveLine] = Field(min_length=1)


class ReleaseLine(RequestModel):
    item: ItemNumber
    item_line_no: Number10 | None = Field(default=None, description="None: any open line of the item.")
    quantity: Number12_4 = Field(gt=0)


class ReleaseRequest(RequestModel):
    release_id: Token | None = Field(
        default=None, description="Idempotency key: the same release again changes nothing."
    )
    reason: Token = "RELEASED"
    lines: list[ReleaseLine] | None = Field(
        default=None, description="What to release; absent: every open line in full."
    )


class SubstituteOf(StrictCamelModel):
    item: str
    item_line_no: int | None = None


class ReservationLineOut(StrictCamelModel):
    item: str
    location: int
    item_line_no: int | None = None
    uom: str
    requested_quantity: JsonDecimal
    quantity: JsonDecimal = Field(description="Held now (HELD or CONFIRMED); 0 otherwise.")
    released_quantity: JsonDecimal
    expired_quantity: JsonDecimal
    status: LineStatusName
    expires_at: datetime | None = None
    substitute_of: SubstituteOf | None = None


class ReservationOut(StrictCamelModel):
    reservation_id: str
    customer_order_no: str
    fulfill_order_no: str
    lines: list[ReservationLineOut]


class ReserveLineResult(StrictCamelModel):
    item: str
    location: int
    item_line_no: int | None = None
    uom: str | None = None
    requested_quantity: JsonDecimal
    reserved_quantity: JsonDecimal = Field(description="Held by the line now (0 when not reserved).")
    status: Literal["HELD", "CONFIRMED", "RELEASED", "EXPIRED", "NOT_RESERVED"]
    expires_at: datetime | None = None
    reason: str | None = Field(default=None, description="Why the line holds nothing (NOT_RESERVED).")
    available_quantity: JsonDecimal | None = Field(
        default=None, description="Available before this request, where it was looked at."
    )


class ReserveResponse(StrictCamelModel):
    reservation_id: str
    customer_order_no: str
    fulfill_order_no: str
    outcome: Literal["FULL", "PARTIAL", "NONE"]
    lines: list[ReserveLineResult]
