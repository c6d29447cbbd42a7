"""Helpers for tests in any package: read the spans the in-memory exporter collected.

Call `enable_test_tracing()` (or `setup_tracing(name, "memory")`) once, `reset_spans()` at the
start of a test, then assert on `finished_spans()` / `spans_for_trace(...)`.
"""

from __future__ import annotations

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .propagation import X_TRACE_ID_ATTRIBUTE, trace_id_hex_for
from .tracing import memory_exporter, setup_tracing


def enable_test_tracing(service_name: str = "test") -> InMemorySpanExporter:
    """Tracing with the in-memory exporter and our propagators; safe to call repeatedly."""
    setup_tracing(service_name, "memory")
    return memory_exporter()


def reset_spans() -> None:
    """Forget every span collected so far."""
    memory_exporter().clear()


def finished_spans() -> list[ReadableSpan]:
    """Every span ended since the last `reset_spans()`, in the order they ended."""
    return list(memory_exporter().get_finished_spans())


def trace_id_hex(span: ReadableSpan) -> str:
    """The span's trace id as 32 lowercase hex characters."""
    context = span.get_span_context()
    return format(context.trace_id, "032x") if context is not None else ""


def spans_for_trace(trace_id_hex_value: str) -> list[ReadableSpan]:
    """The finished spans of one trace (trace id as 32 hex characters, either case)."""
    wanted = trace_id_hex_value.lower()
    return [span for span in finished_spans() if trace_id_hex(span) == wanted]


def spans_for_x_trace_id(raw: str) -> list[ReadableSpan]:
    """The finished spans of the trace a raw `x-trace-id` value starts."""
    return spans_for_trace(trace_id_hex_for(raw))


def spans_with_x_trace_id(raw: str) -> list[ReadableSpan]:
    """The finished spans whose `x_trace_id` attribute is `raw` (whatever their trace)."""
    return [span for span in finished_spans() if (span.attributes or {}).get(X_TRACE_ID_ATTRIBUTE) == raw]
