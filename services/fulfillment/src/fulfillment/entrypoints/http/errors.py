"""Refusals -> the standard error body. On the Merchandising paths validation and business errors
are both HTTP 400, as the specification has it; inventory unreachable is 503 `UNAVAILABLE`."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from pydantic import ValidationError

from fulfillment.adapters.inventory_client import InventoryRefusedError, InventoryUnavailableError
from fulfillment.domain.errors import BusinessRuleError, InvalidRequestError
from shared_contracts.errors import ErrorCategory, ValidationErrorItem
from shared_http import ApiError

VALIDATION_MESSAGE: Final = "Error found in validation of input payload"
BUSINESS_MESSAGE: Final = "Error found in processing of input payload; see businessError"


def as_api_error(error: Exception) -> ApiError | None:
    if isinstance(error, InvalidRequestError):
        return ApiError(
            400,
            "VALIDATION_FAILED",
            VALIDATION_MESSAGE,
            validation_errors=[
                ValidationErrorItem(error=problem.message, field=problem.field, inputValue=problem.value)
                for problem in error.problems
            ],
        )
    if isinstance(error, BusinessRuleError):
        return ApiError(
            400, error.code, BUSINESS_MESSAGE, category=ErrorCategory.BUSINESS, business_error=error.errors
        )
    if isinstance(error, InventoryUnavailableError):
        return ApiError(503, "UNAVAILABLE", "The inventory service is unavailable; please retry shortly.")
    if isinstance(error, InventoryRefusedError) and error.status == 400:
        # Values inventory refuses (an empty item, location 0) are the caller's input errors.
        return ApiError(
            400, "VALIDATION_FAILED", VALIDATION_MESSAGE, validation_errors=_refused_items(error.body)
        )
    if isinstance(error, InventoryRefusedError):
        return ApiError(
            502,
            "INVENTORY_REFUSED",
            "The inventory service refused the request; quote the trace id to support",
        )
    return None


def _refused_items(body: Any) -> list[ValidationErrorItem]:
    listed = body.get("validationErrors") if isinstance(body, dict) else None
    items = []
    for entry in listed if isinstance(listed, list) else []:
        try:
            items.append(ValidationErrorItem.model_validate(entry))
        except ValidationError:
            continue
    return items or [ValidationErrorItem(error="refused by the inventory service", field="body")]


@contextmanager
def answered_as_api_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        api_error = as_api_error(error)
        if api_error is None:
            raise
        raise api_error from error
