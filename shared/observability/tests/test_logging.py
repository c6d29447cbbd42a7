from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.context import attach, detach
from opentelemetry.propagate import extract

from shared_observability import install_propagators, setup_logging


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = setup_logging("gateway", "DEBUG", stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_service_and_trace_context(log_stream: io.StringIO) -> None:
    install_propagators()
    token = attach(extract({"x-trace-id": "journey-log"}))
    try:
        with trace.get_tracer("test").start_as_current_span("handle") as span:
            logging.getLogger("gateway.orders").info("order accepted", extra={"order_id": "O-1"})
    finally:
        detach(token)
    [record] = _lines(log_stream)
    span_context = span.get_span_context()
    assert record["message"] == "order accepted"
    assert record["level"] == "INFO"
    assert record["logger"] == "gateway.orders"
    assert record["service"] == "gateway"
    assert record["trace_id"] == format(span_context.trace_id, "032x")
    assert record["span_id"] == format(span_context.span_id, "016x")
    assert record["x_trace_id"] == "journey-log"
    assert record["order_id"] == "O-1"
    assert "timestamp" in record


def test_outside_a_span_trace_fields_are_null(log_stream: io.StringIO) -> None:
    logging.getLogger("x").warning("no trace")
    [record] = _lines(log_stream)
    assert record["trace_id"] is None
    assert record["x_trace_id"] is None


def test_secrets_are_masked(log_stream: io.StringIO) -> None:
    logging.getLogger("auth").info(
        "client call",
        extra={
            "client_id": "c-1",
            "client_secret": "s3cr3t-value",
            "password": "hunter2",
            "Authorization": "Bearer abc.def",
            "request": {"headers": {"x-client-secret": "nested-secret"}, "path": "/orders"},
        },
    )
    logging.getLogger("auth").info({"event": "dict message", "secret": "dict-secret"})
    output = log_stream.getvalue()
    for leaked in ("s3cr3t-value", "hunter2", "Bearer abc.def", "nested-secret", "dict-secret"):
        assert leaked not in output
    first, second = _lines(log_stream)
    assert first["client_id"] == "c-1"
    assert first["client_secret"] == first["password"] == first["Authorization"] == "***"
    assert first["request"] == {"headers": {"x-client-secret": "***"}, "path": "/orders"}
    assert second["event"] == "dict message"
    assert second["secret"] == "***"


def test_setup_is_idempotent() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = len(root.handlers)
    first = setup_logging("svc", stream=stream)
    second = setup_logging("svc", stream=stream)
    try:
        assert first not in root.handlers
        assert len(root.handlers) == before + 1
        logging.getLogger("svc").info("once")
        assert len(stream.getvalue().splitlines()) == 1
    finally:
        root.removeHandler(second)


def test_plain_text_mode_also_masks(capsys: pytest.CaptureFixture[str]) -> None:
    handler = setup_logging("svc", json=False)
    try:
        logging.getLogger("svc").info("plain", extra={"client_secret": "zzz"})
    finally:
        logging.getLogger().removeHandler(handler)
    out = capsys.readouterr().out
    assert "plain" in out
    assert "[svc trace_id=None" in out
    assert "zzz" not in out
