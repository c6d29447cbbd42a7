"""Strict checks of a request before it is forwarded: JSON body, collection sizes, models, query, path.

Each check returns the problems as the standard `validationErrors` entries (field path, message,
input value); an empty list means the request may go on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, TypeAdapter, ValidationError

from shared_contracts.distributor import Identifier
from shared_contracts.errors import ValidationErrorItem
from shared_http.errors import validation_items

MAX_REPORTED_ERRORS: Final = 50
MAX_INPUT_VALUE_CHARS: Final = 200

_IDENTIFIER: Final = TypeAdapter(Identifier)


def _shorten(value: Any) -> Any:
    """Echoed input values stay small (a whole oversized body is never sent back)."""
    if isinstance(value, str) and len(value) > MAX_INPUT_VALUE_CHARS:
        return value[:MAX_INPUT_VALUE_CHARS] + "..."
    if isinstance(value, dict | list):
        text = json.dumps(value, default=str)
        return value if len(text) <= MAX_INPUT_VALUE_CHARS else text[:MAX_INPUT_VALUE_CHARS] + "..."
    return value


def _items(errors: Sequence[Any]) -> list[ValidationErrorItem]:
    return [
        ValidationErrorItem(error=item.error, field=item.field, inputValue=_shorten(item.input_value))
        for item in validation_items(errors[:MAX_REPORTED_ERRORS])
    ]


def _oversized_collections(document: Any, limit: int) -> list[ValidationErrorItem]:
    """Every JSON array longer than `limit`, found without recursion (depth cannot hurt)."""
    found: list[ValidationErrorItem] = []
    pending: list[tuple[str, Any]] = [("", document)]
    while pending and len(found) < MAX_REPORTED_ERRORS:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            if len(value) > limit:
                found.append(
                    ValidationErrorItem(
                        error=f"at most {limit} entries are accepted", field=path or "body", inputValue=None
                    )
                )
                continue
            pending.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return found


def check_body(model: type[BaseModel], body: bytes, max_collection_items: int) -> list[ValidationErrorItem]:
    """The body is one JSON document, no array in it is over the cap, and `model` accepts it."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return [ValidationErrorItem(error="the body must be one well-formed JSON document", field="body")]
    oversized = _oversized_collections(document, max_collection_items)
    if oversized:
        return oversized
    try:
        model.model_validate_json(body)
    except ValidationError as error:
        return _items(error.errors())
    return []


def check_query(model: type[BaseModel] | None, query: Mapping[str, str]) -> list[ValidationErrorItem]:
    """Query parameters against `model` (unknown ones refused); none are accepted without a model."""
    if model is None:
        return [
            ValidationErrorItem(error="unknown query parameter", field=name, inputValue=_shorten(value))
            for name, value in query.items()
        ]
    try:
        model.model_validate(dict(query))
    except ValidationError as error:
        return _items(error.errors())
    return []


def check_path_identifiers(parameters: Mapping[str, str]) -> list[ValidationErrorItem]:
    """Ids in the path follow the same rule as ids in bodies (1..64 of `A-Z a-z 0-9 . _ : -`)."""
    problems: list[ValidationErrorItem] = []
    for name, value in parameters.items():
        try:
            _IDENTIFIER.validate_python(value)
        except ValidationError as error:
            message = error.errors()[0].get("msg", "invalid identifier")
            problems.append(ValidationErrorItem(error=message, field=name, inputValue=_shorten(value)))
    return problems
