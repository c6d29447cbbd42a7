"""The DLQ record's error body stays small however many errors a value has."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, ValidationError

from shared_contracts.envelope import X_ERROR
from shared_messaging.dlq import MAX_LISTED_ERRORS, PermanentError, dlq_headers, validation_error_body


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[str]


def error_header(headers: list[tuple[str, bytes]]) -> dict[str, object]:
    return json.loads(dict(headers)[X_ERROR])


def test_a_value_failing_once_per_entry_lists_the_first_errors_and_counts_the_rest() -> None:
    try:
        Order.model_validate_json(json.dumps({"items": list(range(60_000))}))
    except ValidationError as error:
        body = validation_error_body(error, "trace-1")
    assert len(body.validation_errors) == 60_000

    headers = dlq_headers([("ce_type", b"x")], body)

    sent = error_header(headers)
    listed = sent["validationErrors"]
    assert isinstance(listed, list)
    assert len(listed) == MAX_LISTED_ERRORS
    assert listed[0]["field"] == "items[0]"
    assert listed[-1]["error"] == f"{60_000 - MAX_LISTED_ERRORS + 1} more validation errors not listed"
    assert len(dict(headers)[X_ERROR]) < 32 * 1024
    assert dict(headers)["ce_type"] == b"x"


def test_business_errors_are_bounded_too_and_a_short_body_is_unchanged() -> None:
    many = PermanentError("bad", business_errors=[f"line {n}" for n in range(500)]).error_body("t")
    few = PermanentError("bad", business_errors=["line 1", "line 2"]).error_body("t")

    listed = error_header(dlq_headers([], many))["businessError"]
    assert isinstance(listed, list)
    assert len(listed) == MAX_LISTED_ERRORS
    assert listed[-1] == f"{500 - MAX_LISTED_ERRORS + 1} more business errors not listed"
    assert error_header(dlq_headers([], few)) == few.to_json_dict()
