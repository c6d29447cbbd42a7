"""Structured JSON logs carrying the trace context, with secrets masked.

`setup_logging` installs one handler on the root logger (replacing the one a previous call
installed, leaving other handlers alone). Every record gets `service`, `trace_id`, `span_id` and
`x_trace_id` from the current OpenTelemetry context. Values of keys that look like secrets,
passed via `extra=` or as a dict message, are replaced with `***` at any nesting depth.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, Final, TextIO

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

from .propagation import resolve_x_trace_id

MASK: Final = "***"
SECRET_KEY_PARTS: Final = (
    "secret",
    "password",
    "passwd",
    "authorization",
    "api_key",
    "apikey",
    "access_token",
    "refresh_token",
    "cookie",
)
"""A key whose lower-cased, `-`-to-`_` form contains one of these is treated as a secret."""

CONTEXT_FIELDS: Final = ("service", "trace_id", "span_id", "x_trace_id")

_STANDARD_RECORD_ATTRS: Final = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
_HANDLER_MARK: Final = "_shared_observability_handler"


def is_secret_key(key: str) -> bool:
    normalized = key.lower().replace("-", "_")
    return any(part in normalized for part in SECRET_KEY_PARTS)


def mask_secrets(value: Any) -> Any:
    """A copy of `value` with the values of secret-looking keys replaced, recursively."""
    if isinstance(value, Mapping):
        return {
            key: MASK if isinstance(key, str) and is_secret_key(key) else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(item) for item in value]
    return value


class ContextFilter(logging.Filter):
    """Adds the service and trace context to every record and masks secret extras."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        record.service = self.service_name
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        record.x_trace_id = resolve_x_trace_id()
        for key, value in list(record.__dict__.items()):
            if key in _STANDARD_RECORD_ATTRS or key in CONTEXT_FIELDS:
                continue
            record.__dict__[key] = MASK if is_secret_key(key) else mask_secrets(value)
        return True


class MaskingJsonFormatter(JsonFormatter):
    """JSON formatter that masks secrets in the final document (covers dict messages too)."""

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = mask_secrets(log_data)
        return masked


def _formatter(json: bool) -> logging.Formatter:
    if json:
        return MaskingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(service)s %(trace_id)s %(span_id)s %(x_trace_id)s",
            rename_fields={"asctime": "timestamp", "levelname": "level", "name": "logger"},
        )
    return logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(service)s trace_id=%(trace_id)s span_id=%(span_id)s "
        "x_trace_id=%(x_trace_id)s] %(message)s"
    )


def setup_logging(
    service_name: str, level: str | int = "INFO", json: bool = True, *, stream: TextIO | None = None
) -> logging.Handler:
    """Log to `stream` (default: stdout) from the root logger; returns the installed handler."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, _HANDLER_MARK, False):
            root.removeHandler(existing)
            existing.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stdout)
    setattr(handler, _HANDLER_MARK, True)
    handler.addFilter(ContextFilter(service_name))
    handler.setFormatter(_formatter(json))
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
