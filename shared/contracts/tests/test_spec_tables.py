"""Every field of every table of the Merchandising specification, checked against the models.

Names, required or optional, and data types (``String (n)``, ``Number (n)``, ``Number (p,s)``,
``date``, ``date-time``, collections and records) are read from the specification's text.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from shared_contracts.merchandising import (
    AvailableInventoryItem,
    AvailableInventoryRequest,
    AvailableInventoryResponse,
    BackorderItem,
    CancelDetail,
    ConfirmationDetail,
    CustomerDetails,
    FulfillmentConfirmation,
    FulfillmentOrder,
    FulfillmentOrderCancellation,
    FulfillmentOrderCancelRequest,
    FulfillmentOrderCreateRequest,
    FulfillmentOrderCreateResponse,
    FulfillmentOrderDetail,
    InventoryBackorderRequest,
    InventoryLocation,
    ItemSubstitutionRequest,
    LocalizationAttribute,
    LocalizationExtension,
    SubstituteDetail,
    SubstitutionItem,
)

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "reference"
SPEC = REFERENCE / "spec" / "merchandising-customer-orders-api.txt"
TABLE_HEADING = " - Object. See list of elements for detail"
COLUMNS = "Element Name Required Data Type Description"

MODELS_IN_SPEC_ORDER: list[type[BaseModel]] = [
    AvailableInventoryRequest,
    InventoryLocation,
    AvailableInventoryResponse,
    AvailableInventoryItem,
    InventoryBackorderRequest,
    BackorderItem,
    ItemSubstitutionRequest,
    SubstitutionItem,
    SubstituteDetail,
    FulfillmentOrderCancelRequest,
    FulfillmentOrderCancellation,
    CancelDetail,
    FulfillmentOrderCreateRequest,
    FulfillmentOrder,
    CustomerDetails,
    LocalizationExtension,
    LocalizationAttribute,
    FulfillmentOrderDetail,
    FulfillmentOrderCreateResponse,
    FulfillmentConfirmation,
    ConfirmationDetail,
]


@dataclass(frozen=True)
class Element:
    name: str
    required: bool
    data_type: str


def spec_tables() -> list[tuple[str, list[Element]]]:
    lines = [line.strip() for line in SPEC.read_text(encoding="utf-8").splitlines()]
    tables = []
    for index, line in enumerate(lines):
        if line.endswith(TABLE_HEADING):
            assert lines[index + 2] == COLUMNS
            tables.append((line.removesuffix(TABLE_HEADING), table_rows(lines[index + 3 :])))
    return tables


def table_rows(lines: list[str]) -> list[Element]:
    cells: list[str] = []
    for line in lines:
        if line.endswith(TABLE_HEADING) or line.startswith("Sample "):
            break
        if line:
            cells.append(line)
    rows = [cells[at : at + 4] for at in range(0, len(cells), 4)]
    assert all(len(row) == 4 and row[1] in ("Yes", "No") for row in rows), rows
    return [Element(name, required == "Yes", data_type) for name, required, data_type, _ in rows]


def value_schema(property_schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of a property's value, without the `null` an optional property also allows."""
    branches = [branch for branch in property_schema.get("anyOf", []) if branch != {"type": "null"}]
    return branches[0] if branches else property_schema


def type_problems(data_type: str, schema: dict[str, Any]) -> list[str]:
    if match := re.fullmatch(r"String \((\d+)\)", data_type):
        limit = int(match[1])
        if "enum" in schema:
            return [] if all(len(value) <= limit for value in schema["enum"]) else ["enum value too long"]
        return [] if schema.get("maxLength") == limit else [f"maxLength {schema.get('maxLength')}"]
    if match := re.fullmatch(r"Number \((\d+)\)", data_type):
        largest = 10 ** int(match[1]) - 1
        if (schema.get("type"), schema.get("maximum"), schema.get("minimum")) != (
            "integer",
            largest,
            -largest,
        ):
            return [f"not an integer of {match[1]} digits: {schema}"]
        return []
    if match := re.fullmatch(r"Number \((\d+),(\d+)\)", data_type):
        largest = (10 ** int(match[1]) - 1) / 10 ** int(match[2])
        if (schema.get("type"), schema.get("maximum")) != ("number", largest):
            return [f"not a Number ({match[1]},{match[2]}): {schema}"]
        return []
    expected = {
        "date": {"type": "string", "format": "date"},
        "date-time": {"type": "string", "format": "date-time"},
        "Array of String": {"type": "array"},
        "Collection of Object": {"type": "array"},
    }.get(data_type)
    if expected is not None:
        return [] if expected.items() <= schema.items() else [f"not a {data_type}: {schema}"]
    if data_type == "Record":
        return [] if "$ref" in schema else [f"not a record: {schema}"]
    return [f"unknown data type {data_type}"]


def test_there_is_one_model_per_table():
    assert len(spec_tables()) == len(MODELS_IN_SPEC_ORDER)


@pytest.mark.parametrize("position", range(len(MODELS_IN_SPEC_ORDER)))
def test_model_matches_its_table(position):
    title, elements = spec_tables()[position]
    model = MODELS_IN_SPEC_ORDER[position]
    schema = model.model_json_schema()
    assert sorted(schema["properties"]) == sorted(element.name for element in elements), title
    problems = []
    for element in elements:
        if (element.name in schema.get("required", [])) != element.required:
            problems.append(f"{element.name}: required should be {element.required}")
        field_schema = value_schema(schema["properties"][element.name])
        problems += [
            f"{element.name}: {problem}" for problem in type_problems(element.data_type, field_schema)
        ]
    assert problems == [], f"{title} ({model.__name__})"
