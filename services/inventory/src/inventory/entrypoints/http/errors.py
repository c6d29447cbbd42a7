"""Refusals of the rules -> the standard error body (API.md).

On the Merchandising paths validation and business errors are both HTTP 400, as the
specification has it; the internal API answers 409 / 422 for business errors. A batch window is
503 `UNAVAILABLE` everywhere, with `Retry-After` when its end is known.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Final

from inventory.domain.errors import BusinessRuleError, InvalidRequestError, NotFoundError, WritesPausedError
from inventory.domain.releases import RELEASE_EXCEEDS_OPEN
from shared_contracts.errors import ErrorCategory, ValidationErrorItem
from shared_http import ApiError

VALIDATION_MESSAGE: Final = "Error found in validation of input payload"
BUSINESS_MESSAGE: Final = "Error found in processing of input payload; see businessError"


def validation_error(error: InvalidRequestError) -> ApiError:
    return ApiError(
        400,
        "VALIDATION_FAILED",
        VALIDATION_MESSAGE,
        validation_errors=[
            ValidationErrorItem(error=problem.message, field=problem.field, inputValue=problem.value)
            for problem in error.problems
        ],
    )


def _retry_after(ends_at: datetime | None) -> dict[str, str]:
    if ends_at is None:
        return {}
    seconds = max(1, math.ceil((ends_at - datetime.now(UTC)).total_seconds()))
    return {"Retry-After": str(seconds)}


def _business_status(code: str, *, merchandising: bool) -> int:
    if merchandising:
        return 400
    return 409 if code == RELEASE_EXCEEDS_OPEN else 422


def as_api_error(error: Exception, *, merchandising: bool) -> ApiError | None:
    if isinstance(error, InvalidRequestError):
        return validation_error(error)
    if isinstance(error, BusinessRuleError):
        status = _business_status(error.code, merchandising=merchandising)
        return ApiError(
            status, error.code, BUSINESS_MESSAGE, category=ErrorCategory.BUSINESS, business_error=error.errors
        )
    if isinstance(error, NotFoundError):
        return ApiError(404, "NOT_FOUND", str(error))
    if isinstance(error, WritesPausedError):
        return ApiError(503, "UNAVAILABLE", error.reason, headers=_retry_after(error.ends_at))
    return None


@contextmanager
def answered_as_api_errors(*, merchandising: bool) -> Iterator[None]:
    """Run a use case; a refusal becomes the standard error body (the transaction rolls back)."""
    try:
        yield
    except Exception as error:
        api_error = as_api_error(error, merchandising=merchandising)
        if api_error is None:
            raise
        raise api_error from error
