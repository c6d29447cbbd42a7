"""Decimals that travel as JSON numbers (pydantic's default would be a JSON string)."""

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def decimal_to_json_number(value: Decimal) -> int | float:
    """An integral decimal as an int (exact at any size), any other as the nearest float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


AS_JSON_NUMBER = PlainSerializer(decimal_to_json_number, return_type=int | float, when_used="json")

JsonDecimal = Annotated[Decimal, AS_JSON_NUMBER, WithJsonSchema({"type": "number"})]
"""A decimal without declared limits, written to JSON as a number."""


def fixed_point_schema(precision: int, scale: int) -> WithJsonSchema:
    """JSON Schema of a number of ``precision`` digits, ``scale`` of them after the decimal point."""
    bound = float(Decimal(10**precision - 1).scaleb(-scale))
    return WithJsonSchema({"type": "number", "minimum": -bound, "maximum": bound})
