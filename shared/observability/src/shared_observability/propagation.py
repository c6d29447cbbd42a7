"""Propagation of the business trace id `x-trace-id` alongside W3C trace context.

Every request carries `x-trace-id`. Without a valid W3C `traceparent`, that value starts the
OpenTelemetry trace: a 32-hex value (not all zeros) is the trace id itself, any other value is
mapped deterministically to `sha256(raw)[:16]`. The raw value always travels on: in the context
(a context key), in W3C baggage under `x_trace_id`, and in the outgoing `x-trace-id` header.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Final

from opentelemetry import baggage, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.context import Context, create_key, get_value, set_value
from opentelemetry.propagate import set_global_textmap
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.propagators.textmap import (
    CarrierT,
    Getter,
    Setter,
    TextMapPropagator,
    default_getter,
    default_setter,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

X_TRACE_ID_HEADER: Final = "x-trace-id"
"""HTTP / Kafka header carrying the raw business trace id."""

X_TRACE_ID_BAGGAGE_KEY: Final = "x_trace_id"
"""W3C baggage entry carrying the raw business trace id."""

X_TRACE_ID_ATTRIBUTE: Final = "x_trace_id"
"""Span attribute (and log field) holding the raw business trace id."""

_X_TRACE_ID_CONTEXT_KEY: Final = create_key("x-trace-id")
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_ID_GENERATOR = RandomIdGenerator()
_TRACE_CONTEXT = TraceContextTextMapPropagator()


def trace_id_for_x_trace_id(raw: str) -> int:
    """The OpenTelemetry trace id (as an int) that a raw `x-trace-id` value maps to.

    A 32-hex value (either case, not all zeros) is used as is; anything else becomes the first
    16 bytes of its SHA-256 digest.
    """
    if _HEX32.fullmatch(raw):
        value = int(raw, 16)
        if value != 0:
            return value
    digest = hashlib.sha256(raw.encode()).digest()[:16]
    return int.from_bytes(digest, "big")


def trace_id_hex_for(raw: str) -> str:
    """`trace_id_for_x_trace_id` as 32 lowercase hex characters (the form exporters show)."""
    return format(trace_id_for_x_trace_id(raw), "032x")


def set_x_trace_id(raw: str, context: Context | None = None) -> Context:
    """Return a context remembering `raw` as the x-trace-id (context key and baggage)."""
    ctx = set_value(_X_TRACE_ID_CONTEXT_KEY, raw, context)
    return baggage.set_baggage(X_TRACE_ID_BAGGAGE_KEY, raw, ctx)


def raw_x_trace_id(context: Context | None = None) -> str | None:
    """The raw x-trace-id remembered in `context` (default: the current one), if any.

    Looks at the context key, then the `x_trace_id` baggage entry, then the `x_trace_id`
    attribute of the context's span (covers spans started without our extracted context).
    """
    value = get_value(_X_TRACE_ID_CONTEXT_KEY, context)
    if isinstance(value, str) and value:
        return value
    bag = baggage.get_baggage(X_TRACE_ID_BAGGAGE_KEY, context)
    if isinstance(bag, str) and bag:
        return bag
    span = trace.get_current_span(context)
    if isinstance(span, ReadableSpan) and span.attributes is not None:
        attribute = span.attributes.get(X_TRACE_ID_ATTRIBUTE)
        if isinstance(attribute, str) and attribute:
            return attribute
    return None


def resolve_x_trace_id(context: Context | None = None) -> str | None:
    """The x-trace-id to report for `context`: the raw value, else the span's trace id as hex."""
    raw = raw_x_trace_id(context)
    if raw is not None:
        return raw
    span_context = trace.get_current_span(context).get_span_context()
    if span_context.is_valid:
        return format(span_context.trace_id, "032x")
    return None


def _first(values: list[str] | None) -> str | None:
    if not values:
        return None
    value = values[0].strip()
    return value or None


def _has_valid_traceparent(carrier: CarrierT, getter: Getter[CarrierT]) -> bool:
    extracted = _TRACE_CONTEXT.extract(carrier, Context(), getter=getter)
    return trace.get_current_span(extracted).get_span_context().is_valid


class XTraceIdPropagator(TextMapPropagator):
    """Extracts / injects the `x-trace-id` header.

    Compose it after `TraceContextTextMapPropagator` and `W3CBaggagePropagator` (see
    `install_propagators`): a valid `traceparent` always wins; `x-trace-id` only starts the
    trace when there is none.
    """

    def extract(
        self,
        carrier: CarrierT,
        context: Context | None = None,
        getter: Getter[CarrierT] = default_getter,
    ) -> Context:
        if context is None:
            context = Context()
        raw = _first(getter.get(carrier, X_TRACE_ID_HEADER))
        if raw is None:
            # No header, but an upstream hop may have sent the raw value in baggage only.
            from_baggage = baggage.get_baggage(X_TRACE_ID_BAGGAGE_KEY, context)
            if isinstance(from_baggage, str) and from_baggage:
                return set_value(_X_TRACE_ID_CONTEXT_KEY, from_baggage, context)
            return context
        if not _has_valid_traceparent(carrier, getter):
            span_context = SpanContext(
                trace_id=trace_id_for_x_trace_id(raw),
                span_id=_ID_GENERATOR.generate_span_id(),
                is_remote=True,
                trace_flags=TraceFlags(TraceFlags.SAMPLED),
            )
            context = trace.set_span_in_context(NonRecordingSpan(span_context), context)
        return set_x_trace_id(raw, context)

    def inject(
        self,
        carrier: CarrierT,
        context: Context | None = None,
        setter: Setter[CarrierT] = default_setter,
    ) -> None:
        if _carries_x_trace_id(carrier):
            return  # set on purpose by the caller (e.g. the request's own id): never replaced
        value = resolve_x_trace_id(context)
        if value is not None:
            setter.set(carrier, X_TRACE_ID_HEADER, value)

    @property
    def fields(self) -> set[str]:
        return {X_TRACE_ID_HEADER}


def _carries_x_trace_id(carrier: object) -> bool:
    """Whether the carrier (a header mapping, case-insensitive or not, or a list of pairs) has one."""
    if isinstance(carrier, Mapping):
        return any(str(name).lower() == X_TRACE_ID_HEADER for name in carrier)
    if isinstance(carrier, list):
        return any(
            isinstance(pair, tuple) and len(pair) == 2 and str(pair[0]).lower() == X_TRACE_ID_HEADER
            for pair in carrier
        )
    return False


def build_propagator() -> CompositePropagator:
    """tracecontext, then baggage, then x-trace-id.

    Order matters for extract: the x-trace-id propagator runs last so that it adds its baggage
    entry on top of the extracted baggage, and it never replaces a span taken from a valid
    `traceparent` (it checks the carrier itself, so the order cannot make it win either).
    """
    return CompositePropagator(
        [TraceContextTextMapPropagator(), W3CBaggagePropagator(), XTraceIdPropagator()]
    )


def install_propagators() -> None:
    """Set the global text-map propagator used by FastAPI, httpx and our Kafka helpers."""
    set_global_textmap(build_propagator())
