from __future__ import annotations

from opentelemetry import trace

from shared_observability import (
    context_from_headers,
    current_x_trace_id,
    extract_from_headers,
    inject_into_headers,
    raw_x_trace_id,
    to_kafka_headers,
    trace_id_hex_for,
)
from shared_observability.testing import finished_spans, spans_for_x_trace_id


def _produce(raw: str) -> tuple[dict[str, str], str]:
    with (
        context_from_headers({"x-trace-id": raw}),
        trace.get_tracer("test").start_as_current_span("publish") as span,
    ):
        headers = inject_into_headers({"ce_type": "OrderCreated"})
    return headers, format(span.get_span_context().span_id, "016x")


def test_round_trip_through_aiokafka_style_headers() -> None:
    headers, producer_span_id = _produce("journey-kafka")
    assert headers["ce_type"] == "OrderCreated"
    assert headers["x-trace-id"] == "journey-kafka"
    assert set(headers) >= {"traceparent", "baggage"}

    record_headers = to_kafka_headers(headers)
    assert all(isinstance(value, bytes) for _, value in record_headers)
    ctx = extract_from_headers(record_headers)
    span_context = trace.get_current_span(ctx).get_span_context()
    assert format(span_context.trace_id, "032x") == trace_id_hex_for("journey-kafka")
    assert format(span_context.span_id, "016x") == producer_span_id
    assert raw_x_trace_id(ctx) == "journey-kafka"


def test_round_trip_through_faststream_style_dict_with_mixed_values() -> None:
    headers, _ = _produce("ABCDEF0123456789ABCDEF0123456789")
    faststream_headers: dict[str, str | bytes] = {
        "traceparent": headers["traceparent"].encode(),
        "X-Trace-Id": headers["x-trace-id"],
        "baggage": headers["baggage"],
    }
    with (
        context_from_headers(faststream_headers),
        trace.get_tracer("test").start_as_current_span("consume") as consumer,
    ):
        assert current_x_trace_id() == "ABCDEF0123456789ABCDEF0123456789"
    assert format(consumer.get_span_context().trace_id, "032x") == "abcdef0123456789abcdef0123456789"
    [finished] = finished_spans()[-1:]
    assert (finished.attributes or {})["x_trace_id"] == "ABCDEF0123456789ABCDEF0123456789"


def test_consumer_span_joins_producer_trace_and_carries_x_trace_id() -> None:
    headers, _ = _produce("journey-consume")
    with (
        context_from_headers(to_kafka_headers(headers)),
        trace.get_tracer("test").start_as_current_span("handle OrderCreated"),
    ):
        pass
    spans = spans_for_x_trace_id("journey-consume")
    assert {span.name for span in spans} == {"publish", "handle OrderCreated"}
    assert all((span.attributes or {})["x_trace_id"] == "journey-consume" for span in spans)


def test_headers_without_trace_give_a_fresh_context() -> None:
    ctx = extract_from_headers([("ce_type", b"OrderCreated"), ("empty", None)])
    assert not trace.get_current_span(ctx).get_span_context().is_valid
