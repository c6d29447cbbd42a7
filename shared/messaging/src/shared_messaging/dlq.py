"""Dead-letter queues: a message that cannot be processed goes to `<topic>.dlq`, unchanged.

The DLQ record keeps the original key, value and headers, and adds `x-error-code` and `x-error`
(the standard error body as JSON), so nothing is dropped silently and the message can be
replayed once the cause is fixed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError
from pydantic import ValidationError

from shared_contracts.envelope import X_ERROR, X_ERROR_CODE
from shared_contracts.errors import ErrorBody, ErrorCategory, ValidationErrorItem
from shared_contracts.topics import dlq
from shared_messaging.broker import create_producer, send_and_confirm, start_producer, stop_producer
from shared_messaging.settings import KafkaSettings

_logger = logging.getLogger(__name__)

INVALID_ENVELOPE = "INVALID_ENVELOPE"
INVALID_JSON = "INVALID_JSON"
VALIDATION_FAILED = "VALIDATION_FAILED"
HANDLER_FAILED = "HANDLER_FAILED"

_MAX_INPUT_CHARS = 200
# A value can fail its model once per entry of a long list: the DLQ record lists the first ones
# only, so its headers stay far below the producer's max_request_size (else the publish fails
# forever and the partition never moves on).
MAX_LISTED_ERRORS = 100


class PermanentError(Exception):
    """Raised by a handler for a message that can never succeed (business-invalid): it goes to
    the DLQ at once, with this code, category and message, instead of being retried."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "BUSINESS_RULE_VIOLATION",
        category: ErrorCategory = ErrorCategory.BUSINESS,
        business_errors: Sequence[str] = (),
        validation_errors: Sequence[ValidationErrorItem] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.category = category
        self.business_errors = list(business_errors)
        self.validation_errors = list(validation_errors)

    def error_body(self, trace_id: str | None) -> ErrorBody:
        return ErrorBody(
            code=self.code,
            category=self.category,
            message=self.message,
            trace_id=trace_id,
            business_error=self.business_errors,
            validation_errors=self.validation_errors,
        )


def field_path(location: Sequence[str | int]) -> str:
    """('items', 0, 'item') -> 'items[0].item' (the message's own field names)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "value"


def _input_value(value: Any) -> Any:
    """Scalars only, shortened: the whole document is the DLQ record's value already."""
    if isinstance(value, str):
        return value[:_MAX_INPUT_CHARS]
    if value is None or isinstance(value, bool | int | float):
        return value
    return None


def validation_error_body(error: ValidationError, trace_id: str | None) -> ErrorBody:
    """The error body of a payload that is not JSON (`INVALID_JSON`) or fails its model."""
    problems = error.errors(include_url=False)
    if any(problem["type"] == "json_invalid" for problem in problems):
        return ErrorBody(
            code=INVALID_JSON,
            category=ErrorCategory.VALIDATION,
            message="The message value is not valid JSON.",
            trace_id=trace_id,
            validation_errors=[
                ValidationErrorItem(error=problem["msg"], field="value") for problem in problems
            ],
        )
    items = [
        ValidationErrorItem(
            error="unknown field" if problem["type"] == "extra_forbidden" else problem["msg"],
            field=field_path(problem["loc"]),
            inputValue=_input_value(problem.get("input")),
        )
        for problem in problems
    ]
    return ErrorBody(
        code=VALIDATION_FAILED,
        category=ErrorCategory.VALIDATION,
        message="Error found in validation of the message payload.",
        trace_id=trace_id,
        validation_errors=items,
    )


def envelope_error_body(reason: str, trace_id: str | None) -> ErrorBody:
    return ErrorBody(
        code=INVALID_ENVELOPE,
        category=ErrorCategory.VALIDATION,
        message=f"Invalid CloudEvents envelope: {reason}",
        trace_id=trace_id,
        validation_errors=[ValidationErrorItem(error=reason, field="headers")],
    )


def internal_error_body(error: BaseException, attempts: int, trace_id: str | None) -> ErrorBody:
    return ErrorBody(
        code=HANDLER_FAILED,
        category=ErrorCategory.INTERNAL,
        message=f"Handler failed after {attempts} attempt(s): {type(error).__name__}: {error}"[:2000],
        trace_id=trace_id,
    )


def bounded(error: ErrorBody) -> ErrorBody:
    """`error` with at most `MAX_LISTED_ERRORS` validation and business errors, and a last entry
    saying how many more there were."""
    validation, business = error.validation_errors, error.business_error
    if len(validation) > MAX_LISTED_ERRORS:
        more = len(validation) - MAX_LISTED_ERRORS + 1
        validation = [
            *validation[: MAX_LISTED_ERRORS - 1],
            ValidationErrorItem(error=f"{more} more validation errors not listed", field="value"),
        ]
    if len(business) > MAX_LISTED_ERRORS:
        more = len(business) - MAX_LISTED_ERRORS + 1
        business = [*business[: MAX_LISTED_ERRORS - 1], f"{more} more business errors not listed"]
    if validation is error.validation_errors and business is error.business_error:
        return error
    return error.model_copy(update={"validation_errors": validation, "business_error": business})


def dlq_headers(headers: Sequence[tuple[str, bytes | None]], error: ErrorBody) -> list[tuple[str, bytes]]:
    """The original headers (earlier error headers replaced) plus `x-error-code` and `x-error`."""
    kept = [(name, value or b"") for name, value in headers if name.lower() not in (X_ERROR_CODE, X_ERROR)]
    body = json.dumps(bounded(error).to_json_dict(), separators=(",", ":"), ensure_ascii=False)
    return [*kept, (X_ERROR_CODE, error.code.encode()), (X_ERROR, body.encode())]


def oversize_headers(error: ErrorBody, value: bytes | None, origin: str) -> list[tuple[str, bytes]]:
    """The DLQ headers of a record too large for the DLQ: only the error, whose message says so."""
    where = f" at {origin}" if origin else ""
    size = len(value or b"")
    notice = error.model_copy(
        update={
            "message": f"{error.message} [the original record ({size} bytes of value) is too large for "
            f"the DLQ; it is only in its topic{where}, until the topic's retention removes it]"
        }
    )
    return dlq_headers([], notice)


class DeadLetterPublisher:
    """Publishes to DLQs with its own idempotent producer, started on first use (bounded)."""

    def __init__(
        self,
        settings: KafkaSettings | None = None,
        *,
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        self._settings = settings or KafkaSettings()
        self._factory = producer_factory or (lambda: create_producer(self._settings))
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = self._factory()
                await start_producer(producer, self._settings)
                self._producer = producer
            return self._producer

    async def publish(
        self,
        topic: str,
        *,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[tuple[str, bytes | None]],
        error: ErrorBody,
        origin: str = "",
    ) -> None:
        """Send one record to `<topic>.dlq` and wait for the acknowledgement (bounded).

        A record too large for the DLQ (`MessageSizeTooLargeError`, from the producer or the
        broker) goes there without its value and original headers (`oversize_headers`; `origin`
        names the original, e.g. `topic[partition]@offset`). On any other failure the producer is
        discarded (a fresh one is made next time) and the error raised: the caller must not
        acknowledge the original message.
        """
        producer = await self._ensure()
        try:
            await send_and_confirm(
                producer, self._settings, dlq(topic), value, key=key, headers=dlq_headers(headers, error)
            )
            return
        except MessageSizeTooLargeError:
            # Retrying cannot help, and a DLQ that refuses a record would hold its partition
            # forever: the DLQ gets the error alone, naming where the original still is.
            _logger.warning(
                "%s: record for the DLQ too large (%s); dead-lettering its error only", topic, origin
            )
            await self._discard(producer)
        except BaseException:
            await self._discard(producer)
            raise
        producer = await self._ensure()
        try:
            await send_and_confirm(
                producer,
                self._settings,
                dlq(topic),
                None,
                key=key,
                headers=oversize_headers(error, value, origin),
            )
        except BaseException:
            await self._discard(producer)
            raise

    async def _discard(self, producer: AIOKafkaProducer) -> None:
        async with self._lock:
            if self._producer is producer:
                self._producer = None
        await stop_producer(producer, self._settings)

    async def stop(self) -> None:
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            await stop_producer(producer, self._settings)
