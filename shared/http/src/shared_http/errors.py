"""`ApiError` and the exception handlers that turn every failure into the standard error body."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared_contracts.errors import ErrorBody, ErrorCategory, ValidationErrorItem
from shared_db import DATABASE_UNAVAILABLE_ERRORS

TRACE_HEADER = "x-trace-id"
_logger = logging.getLogger("shared_http.errors")

_CATEGORY_BY_STATUS = {
    400: ErrorCategory.VALIDATION,
    401: ErrorCategory.AUTHORIZATION,
    403: ErrorCategory.AUTHORIZATION,
    404: ErrorCategory.NOT_FOUND,
    405: ErrorCategory.NOT_FOUND,
    409: ErrorCategory.BUSINESS,
    413: ErrorCategory.VALIDATION,
    415: ErrorCategory.VALIDATION,
    422: ErrorCategory.BUSINESS,
    429: ErrorCategory.RATE_LIMITED,
    503: ErrorCategory.UNAVAILABLE,
}


class ApiError(Exception):
    """Raise anywhere in a request to answer with the standard error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        category: ErrorCategory | None = None,
        validation_errors: Sequence[ValidationErrorItem] = (),
        business_error: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.category = category or _CATEGORY_BY_STATUS.get(status, ErrorCategory.INTERNAL)
        self.validation_errors = list(validation_errors)
        self.business_error = list(business_error)
        self.headers = dict(headers or {})

    def body(self, trace_id: str | None) -> ErrorBody:
        return ErrorBody(
            code=self.code,
            category=self.category,
            message=self.message,
            trace_id=trace_id,
            validation_errors=self.validation_errors,
            business_error=self.business_error,
        )


def field_path(location: Sequence[str | int]) -> str:
    """('body', 'items', 0, 'item') -> 'items[0].item' (the request's own field names)."""
    path = ""
    for part in location:
        if part in ("body", "query", "path", "header") and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validation_items(errors: Sequence[Any]) -> list[ValidationErrorItem]:
    items = []
    for error in errors:
        message = error.get("msg", "invalid")
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        items.append(
            ValidationErrorItem(
                error=message, field=field_path(error.get("loc", ())), inputValue=error.get("input")
            )
        )
    return items


def error_response(request: Request, error: ApiError) -> JSONResponse:
    trace_id = request.headers.get(TRACE_HEADER)
    headers = dict(error.headers)
    if trace_id:
        headers[TRACE_HEADER] = trace_id
    return JSONResponse(error.body(trace_id).to_json_dict(), status_code=error.status, headers=headers)


def request_validation_error(
    errors: Sequence[Any], message: str = "Error found in validation of input payload"
) -> ApiError:
    return ApiError(400, "VALIDATION_FAILED", message, validation_errors=validation_items(errors))


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return error_response(request, request_validation_error(exc.errors()))


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, f"HTTP_{exc.status_code}")
    return error_response(request, ApiError(exc.status_code, code, str(exc.detail), headers=exc.headers))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The detail goes to the log (with the trace id), never to the caller.
    return error_response(
        request, ApiError(500, "INTERNAL_ERROR", "Internal error; quote the trace id to support")
    )


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # A database that is down or out of connections is the caller's cue to retry, not a bug.
    _logger.warning(
        "database unavailable on %s %s: %r (x-trace-id %s)",
        request.method,
        request.url.path,
        exc,
        request.headers.get(TRACE_HEADER),
    )
    return error_response(
        request,
        ApiError(
            503,
            "UNAVAILABLE",
            "The service cannot reach its database right now; retry later",
            headers={"Retry-After": "1"},
        ),
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    for unavailable in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
