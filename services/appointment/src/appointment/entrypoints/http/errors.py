"""Refusals of the rules -> the standard error body (API.md categories)."""

from collections.abc import Iterator
from contextlib import contextmanager

from appointment.domain.errors import (
    InvalidTransitionError,
    NotCancellableError,
    NotFoundError,
    OutsideServiceAreaError,
    SandboxTestDataError,
    SlotUnavailableError,
    StepIncompleteError,
)
from appointment.service_layer.ports import EnrichmentUnavailableError
from shared_contracts.errors import ErrorCategory
from shared_http import ApiError


def as_api_error(error: Exception) -> ApiError | None:
    if isinstance(error, NotFoundError):
        return ApiError(404, "NOT_FOUND", str(error))
    if isinstance(error, StepIncompleteError):
        return ApiError(409, "STEP_INCOMPLETE", str(error))
    if isinstance(error, SandboxTestDataError):
        return ApiError(422, "TEST_DATA", str(error), category=ErrorCategory.TEST_DATA)
    if isinstance(error, OutsideServiceAreaError):
        return ApiError(422, "OUTSIDE_SERVICE_AREA", str(error))
    if isinstance(error, SlotUnavailableError):
        return ApiError(409, "SLOT_UNAVAILABLE", str(error))
    if isinstance(error, NotCancellableError | InvalidTransitionError):
        return ApiError(409, "APPOINTMENT_NOT_CANCELLABLE", str(error))
    if isinstance(error, EnrichmentUnavailableError):
        return ApiError(
            503,
            "UNAVAILABLE",
            "The sub-order could not be checked with the order service; please retry shortly.",
            headers={"Retry-After": "1"},
        )
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
