"""Value types of the distributor API: bounded strings, identifiers, dates and quantities.

Every limit here is published in the OpenAPI schema (`maxLength`, `minimum`, `pattern`, ...):

| type | rule |
|---|---|
| `Identifier` | 1..64 characters of `A-Z a-z 0-9 . _ : -` (order, sub-order, item line, CDG ids) |
| `Text<n>` | 1..n characters, surrounding blanks removed |
| `Email` | at most 254 characters, one `@` |
| `Phone` | 7..20 characters of digits, blanks, `+ ( ) - .` |
| `CalendarDate` | a date written `YYYY-MM-DD` |
| `AppointmentTimestamp` | a local date-time written `YYYY-MM-DD HH:MM:SS.mmm` |
| `Quantity` | a JSON integer 1..9999 |
| `Money` | a JSON number >= 0 with at most 12 digits, 4 after the point |
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, Strict, StringConstraints, WithJsonSchema

from shared_contracts.json_number import AS_JSON_NUMBER

IDENTIFIER_MAX_LENGTH = 64

Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=IDENTIFIER_MAX_LENGTH, pattern=r"^[A-Za-z0-9._:-]+$"),
]


Text10 = Annotated[str, StringConstraints(min_length=1, max_length=10, strip_whitespace=True)]
Text30 = Annotated[str, StringConstraints(min_length=1, max_length=30, strip_whitespace=True)]
Text60 = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]
Text120 = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
Text500 = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Text1000 = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, StringConstraints(min_length=7, max_length=20, pattern=r"^\+?[0-9 ()\-.]+$")]

_CALENDAR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _calendar_date_text(value: object) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _CALENDAR_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


CalendarDate = Annotated[date, BeforeValidator(_calendar_date_text)]
"""A calendar date, only as `YYYY-MM-DD` (no timestamps, no numbers)."""

APPOINTMENT_TIMESTAMP_FORMAT = "YYYY-MM-DD HH:MM:SS.mmm"
_APPOINTMENT_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}")


def parse_appointment_timestamp(value: object) -> datetime:
    """`2025-12-08 08:00:00.000` -> a naive datetime (the site's local time)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _APPOINTMENT_TIMESTAMP.fullmatch(value):
        try:
            return datetime.fromisoformat(value)  # the shape is checked: never a zone
        except ValueError:  # out of range, e.g. month 13
            pass
    raise ValueError(f"must be a date-time written {APPOINTMENT_TIMESTAMP_FORMAT}")


def format_appointment_timestamp(value: datetime) -> str:
    """A datetime -> `2025-12-08 08:00:00.000` (milliseconds, no zone)."""
    # isoformat, not strftime: a tenth of the cost, and a get-dates answer writes 40 of these.
    local = value if value.tzinfo is None else value.replace(tzinfo=None)
    return local.isoformat(" ", "milliseconds")


AppointmentTimestamp = Annotated[
    datetime,
    BeforeValidator(parse_appointment_timestamp),
    PlainSerializer(format_appointment_timestamp, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$",
            "description": f"Local date-time of the site, written {APPOINTMENT_TIMESTAMP_FORMAT}.",
            "examples": ["2025-12-08 08:00:00.000"],
        }
    ),
]

Quantity = Annotated[int, Strict(), Field(ge=1, le=9_999)]


def _json_number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a JSON number")
    return value


Money = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(ge=0, max_digits=12, decimal_places=4, allow_inf_nan=False),
    AS_JSON_NUMBER,
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 99_999_999.9999}),
]

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

Success = Literal["SUCCESS"]

OrderStatus = Literal["DRAFT", "SUBMITTED", "CONFIRMED", "PARTIALLY_CONFIRMED", "BACKORDERED", "CANCELLED"]
"""CONFIRMED: fulfillment C or R; PARTIALLY_CONFIRMED: P; BACKORDERED: X."""
