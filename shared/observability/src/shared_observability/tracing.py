"""Process-wide OpenTelemetry tracing setup and the instrumentation wrappers.

`setup_tracing` is idempotent: the first call creates (or adopts) the SDK `TracerProvider` and
sets it globally; every call adds its exporter once (keyed by kind and target), so calling it
many times, as tests do, never duplicates span processors. The resource (`service.name`) is
fixed by the first call: one process, one service.
"""

from __future__ import annotations

import logging
import threading
from typing import Final, Literal, get_args
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Span, SpanProcessor, TracerProvider, sampling
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Sampler

from .file_exporter import JsonLinesFileSpanExporter
from .instrumentation import UNTRACED_PATHS as UNTRACED_PATHS
from .instrumentation import fastapi_telemetry as fastapi_telemetry
from .instrumentation import instrument_asyncpg as instrument_asyncpg
from .instrumentation import instrument_httpx as instrument_httpx
from .propagation import (
    X_TRACE_ID_ATTRIBUTE,
    install_propagators,
    raw_x_trace_id,
    resolve_x_trace_id,
)
from .sampling import OperationStatementsOnly

ExporterName = Literal["otlp", "console", "file", "memory", "none"]
EXPORTERS: Final[frozenset[str]] = frozenset(get_args(ExporterName))

_logger = logging.getLogger(__name__)
_lock = threading.Lock()
_provider: TracerProvider | None = None
_installed_exporters: set[tuple[str, str]] = set()
_memory_exporter: InMemorySpanExporter | None = None


class XTraceIdSpanProcessor(SpanProcessor):
    """Sets the span attribute `x_trace_id` on every span when it starts.

    The value is the raw x-trace-id from the parent context (context key, then baggage, then the
    parent span's attribute); a span without any falls back to its own trace id in hex, which is
    also what gets sent downstream as `x-trace-id` in that case.
    """

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        value = raw_x_trace_id(parent_context)
        if value is None:
            value = format(span.get_span_context().trace_id, "032x")
        span.set_attribute(X_TRACE_ID_ATTRIBUTE, value)


def _otlp_traces_url(endpoint: str) -> str:
    """A bare collector URL (`http://collector:4318`) gets the OTLP/HTTP traces path."""
    if urlsplit(endpoint).path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def _configured_sampler() -> Sampler:
    """The sampler `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name (default: parent-based,
    always on), as the SDK itself would choose it."""
    return sampling._get_from_env_or_default()  # the SDK's own (private) reader of those variables


def _ensure_provider(service_name: str) -> TracerProvider:
    global _provider
    if _provider is not None:
        current = _provider.resource.attributes.get(SERVICE_NAME)
        if current != service_name:
            _logger.debug(
                "tracing already set up for service %r; keeping that resource for %r", current, service_name
            )
        return _provider
    existing = trace.get_tracer_provider()
    if isinstance(existing, TracerProvider):
        provider = existing
    else:
        provider = TracerProvider(
            resource=Resource.create({SERVICE_NAME: service_name}),
            sampler=OperationStatementsOnly(_configured_sampler()),
        )
        trace.set_tracer_provider(provider)
        if trace.get_tracer_provider() is not provider:
            _logger.warning("a non-SDK global TracerProvider was already set; spans may not be exported")
    provider.add_span_processor(XTraceIdSpanProcessor())
    _provider = provider
    return provider


def _make_processor(exporter: str, otlp_endpoint: str | None, file_path: str | None) -> SpanProcessor | None:
    global _memory_exporter
    if exporter == "none":
        return None
    if exporter == "memory":
        _memory_exporter = InMemorySpanExporter()
        return SimpleSpanProcessor(_memory_exporter)
    if exporter == "console":
        return SimpleSpanProcessor(ConsoleSpanExporter())
    if exporter == "file":
        if not file_path:
            raise ValueError("setup_tracing(exporter='file') needs file_path")
        return BatchSpanProcessor(JsonLinesFileSpanExporter(file_path), schedule_delay_millis=500)
    # endpoint=None lets the exporter read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT.
    url = _otlp_traces_url(otlp_endpoint) if otlp_endpoint else None
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=url))


def _exporter_key(exporter: str, otlp_endpoint: str | None, file_path: str | None) -> tuple[str, str]:
    if exporter == "file":
        return ("file", JsonLinesFileSpanExporter.normalize_path(file_path or ""))
    if exporter == "otlp":
        return ("otlp", _otlp_traces_url(otlp_endpoint) if otlp_endpoint else "")
    return (exporter, "")


def setup_tracing(
    service_name: str,
    exporter: str = "none",
    *,
    otlp_endpoint: str | None = None,
    file_path: str | None = None,
) -> TracerProvider:
    """Configure tracing for this process and return the global SDK `TracerProvider`.

    `exporter` is one of `otlp` (OTLP/HTTP to `otlp_endpoint`, or the standard OTEL env vars),
    `console`, `file` (JSON lines appended to `file_path`), `memory` (for tests, see
    `memory_exporter()`), `none`. Also installs the global propagators.
    """
    if exporter not in EXPORTERS:
        raise ValueError(f"unknown trace exporter {exporter!r}; expected one of {sorted(EXPORTERS)}")
    install_propagators()
    with _lock:
        provider = _ensure_provider(service_name)
        key = _exporter_key(exporter, otlp_endpoint, file_path)
        if key not in _installed_exporters:
            processor = _make_processor(exporter, otlp_endpoint, file_path)
            if processor is not None:
                provider.add_span_processor(processor)
            _installed_exporters.add(key)
    return provider


def flush_tracing(timeout_millis: int = 5000) -> bool:
    """Export buffered spans now (e.g. before a process exits or a test reads a trace file)."""
    if _provider is None:
        return True
    return _provider.force_flush(timeout_millis)


def memory_exporter() -> InMemorySpanExporter:
    """The in-memory exporter installed by `setup_tracing(..., exporter="memory")`."""
    if _memory_exporter is None:
        raise RuntimeError("no in-memory exporter: call setup_tracing(service_name, 'memory') first")
    return _memory_exporter


def current_x_trace_id() -> str | None:
    """The x-trace-id of the current context: the raw value, else the current trace id as hex."""
    return resolve_x_trace_id()
