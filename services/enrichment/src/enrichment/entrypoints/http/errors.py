"""Domain refusals -> the standard error body (API.md categories)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from enrichment.domain.errors import (
    BusinessRuleError,
    InvalidFieldsError,
    NotFoundError,
    OrderNotOpenError,
    SandboxTestDataError,
    StepIncompleteError,
    TransactionIdReusedError,
)
from enrichment.service_layer.ports import AppointmentServiceUnavailableError
from shared_contracts.errors import ErrorCategory, ValidationErrorItem
from shared_http import ApiError

CONFLICTING_RULES: Final = frozenset({"ORDER_IN_OTHER_CDG"})
"""Business rules whose breach is a conflict with the current state (409); the others are 422."""


def as_api_error(error: Exception) -> ApiError | None:
    if isinstance(error, NotFoundError):
        return ApiError(404, "NOT_FOUND", str(error))
    if isinstance(error, OrderNotOpenError):
        return ApiError(409, "ORDER_NOT_OPEN", str(error))
    if isinstance(error, TransactionIdReusedError):
        return ApiError(409, "IDEMPOTENCY_CONFLICT", str(error))
    if isinstance(error, StepIncompleteError):
        return ApiError(
            409,
            "STEP_INCOMPLETE",
            str(error),
            business_error=[f"subOrderId {sub_order_id}: {error}" for sub_order_id in error.sub_order_ids],
        )
    if isinstance(error, InvalidFieldsError):
        return ApiError(
            400,
            "VALIDATION_FAILED",
            "Error found in validation of input payload",
            validation_errors=[
                ValidationErrorItem(error=problem.message, field=problem.field, inputValue=problem.value)
                for problem in error.problems
            ],
        )
    if isinstance(error, BusinessRuleError):
        return ApiError(409 if error.code in CONFLICTING_RULES else 422, error.code, error.message)
    if isinstance(error, SandboxTestDataError):
        return ApiError(422, "TEST_DATA", str(error), category=ErrorCategory.TEST_DATA)
    if isinstance(error, AppointmentServiceUnavailableError):
        return ApiError(503, "UNAVAILABLE", "The appointment service is unavailable; please retry shortly.")
    return None


@contextmanager
def answered_as_api_errors() -> Iterator[None]:
    """Run a use case; a refusal of the rules becomes the standard error body."""
    try:
        yield
    except Exception as error:
        api_error = as_api_error(error)
        if api_error is None:
            raise
        raise api_error from error
