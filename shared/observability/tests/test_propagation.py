from __future__ import annotations

import hashlib

from opentelemetry import baggage, trace
from opentelemetry.context import Context, attach, detach
from opentelemetry.propagate import extract, get_global_textmap, inject

from shared_observability import (
    X_TRACE_ID_BAGGAGE_KEY,
    XTraceIdPropagator,
    install_propagators,
    raw_x_trace_id,
    trace_id_hex_for,
)
from shared_observability.propagation import build_propagator

VALID_TRACEPARENT_TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
VALID_TRACEPARENT = f"00-{VALID_TRACEPARENT_TRACE_ID}-b7ad6b7169203331-01"


def _trace_id(ctx: Context) -> str:
    return format(trace.get_current_span(ctx).get_span_context().trace_id, "032x")


def test_global_propagator_covers_all_headers() -> None:
    install_propagators()
    assert {"traceparent", "baggage", "x-trace-id"} <= get_global_textmap().fields
    assert XTraceIdPropagator().fields == {"x-trace-id"}


def test_32_hex_x_trace_id_is_the_trace_id() -> None:
    raw = "4BF92F3577B34DA6A3CE929D0E0E4736"
    ctx = build_propagator().extract({"x-trace-id": raw})
    span_context = trace.get_current_span(ctx).get_span_context()
    assert span_context.is_valid
    assert span_context.is_remote
    assert span_context.trace_flags.sampled
    assert _trace_id(ctx) == raw.lower()
    assert raw_x_trace_id(ctx) == raw
    assert baggage.get_baggage(X_TRACE_ID_BAGGAGE_KEY, ctx) == raw


def test_other_values_map_deterministically_to_sha256_prefix() -> None:
    propagator = build_propagator()
    first = propagator.extract({"x-trace-id": "order-journey-1"})
    again = propagator.extract({"x-trace-id": "order-journey-1"})
    other = propagator.extract({"x-trace-id": "order-journey-2"})
    expected = hashlib.sha256(b"order-journey-1").hexdigest()[:32]
    assert _trace_id(first) == expected == trace_id_hex_for("order-journey-1")
    assert _trace_id(again) == expected
    assert _trace_id(other) != expected
    # a fresh random parent span id each time: only the trace is shared
    assert (
        trace.get_current_span(first).get_span_context().span_id
        != trace.get_current_span(again).get_span_context().span_id
    )
    assert raw_x_trace_id(first) == "order-journey-1"


def test_all_zero_hex_is_hashed_not_used() -> None:
    raw = "0" * 32
    ctx = build_propagator().extract({"x-trace-id": raw})
    assert _trace_id(ctx) == hashlib.sha256(raw.encode()).hexdigest()[:32]


def test_valid_traceparent_wins_but_x_trace_id_is_remembered() -> None:
    ctx = build_propagator().extract({"traceparent": VALID_TRACEPARENT, "x-trace-id": "from-client"})
    assert _trace_id(ctx) == VALID_TRACEPARENT_TRACE_ID
    assert trace.get_current_span(ctx).get_span_context().span_id == 0xB7AD6B7169203331
    assert raw_x_trace_id(ctx) == "from-client"
    assert baggage.get_baggage(X_TRACE_ID_BAGGAGE_KEY, ctx) == "from-client"


def test_invalid_traceparent_falls_back_to_x_trace_id() -> None:
    carrier = {"traceparent": "00-" + "0" * 32 + "-b7ad6b7169203331-01", "x-trace-id": "fallback"}
    ctx = build_propagator().extract(carrier)
    assert _trace_id(ctx) == trace_id_hex_for("fallback")


def test_baggage_from_upstream_is_kept_next_to_x_trace_id() -> None:
    carrier = {"x-trace-id": "abc", "baggage": "tenant=sp-1"}
    ctx = build_propagator().extract(carrier)
    assert baggage.get_baggage("tenant", ctx) == "sp-1"
    assert baggage.get_baggage(X_TRACE_ID_BAGGAGE_KEY, ctx) == "abc"


def test_no_headers_gives_an_empty_context() -> None:
    ctx = build_propagator().extract({})
    assert not trace.get_current_span(ctx).get_span_context().is_valid
    assert raw_x_trace_id(ctx) is None


def test_inject_writes_raw_x_trace_id_and_traceparent() -> None:
    install_propagators()
    token = attach(extract({"x-trace-id": "journey-7"}))
    try:
        with trace.get_tracer("test").start_as_current_span("work") as span:
            carrier: dict[str, str] = {}
            inject(carrier)
    finally:
        detach(token)
    assert carrier["x-trace-id"] == "journey-7"
    trace_hex = format(span.get_span_context().trace_id, "032x")
    assert trace_hex == trace_id_hex_for("journey-7")
    assert carrier["traceparent"].split("-")[1] == trace_hex
    assert "x_trace_id=journey-7" in carrier["baggage"]


def test_inject_without_raw_value_uses_the_trace_id() -> None:
    install_propagators()
    with trace.get_tracer("test").start_as_current_span("job") as span:
        carrier: dict[str, str] = {}
        inject(carrier)
    assert carrier["x-trace-id"] == format(span.get_span_context().trace_id, "032x")


def test_inject_keeps_an_x_trace_id_the_caller_set() -> None:
    install_propagators()
    with trace.get_tracer("test").start_as_current_span("job") as span:
        mapping: dict[str, str] = {"X-Trace-Id": "the-callers-id"}
        pairs: list[tuple[str, bytes]] = [("x-trace-id", b"kafka-id")]
        inject(mapping)
        XTraceIdPropagator().inject(pairs, setter=_PairSetter())
    assert mapping["X-Trace-Id"] == "the-callers-id"
    assert "x-trace-id" not in mapping
    assert mapping["traceparent"].split("-")[1] == format(span.get_span_context().trace_id, "032x")
    assert pairs == [("x-trace-id", b"kafka-id")]


class _PairSetter:
    def set(self, carrier: list[tuple[str, bytes]], key: str, value: str) -> None:
        carrier.append((key, value.encode()))


def test_inject_with_nothing_writes_nothing() -> None:
    carrier: dict[str, str] = {}
    XTraceIdPropagator().inject(carrier, Context())
    assert carrier == {}


def test_span_started_from_an_unattached_context_still_propagates_raw_value() -> None:
    install_propagators()
    ctx = extract({"x-trace-id": "journey-8"})
    with trace.get_tracer("test").start_as_current_span("work", context=ctx):
        carrier: dict[str, str] = {}
        inject(carrier)
    # the extracted context was not attached, so its baggage is gone, but the span attribute
    # set on start keeps the raw value travelling
    assert carrier["x-trace-id"] == "journey-8"
