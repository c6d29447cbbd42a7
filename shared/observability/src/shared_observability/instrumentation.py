"""Tracing of FastAPI (its native telemetry), httpx, aiohttp (client) and asyncpg.

The instrumented libraries are imported only when their wrapper is called, so a process that
never serves HTTP does not import FastAPI. All of them inject / extract with the global
propagator, so they install ours first.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Final

from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from opentelemetry.util.types import AttributeValue

from .propagation import install_propagators

if TYPE_CHECKING:
    import aiohttp
    import asyncpg
    import httpx
    from fastapi.telemetry import TelemetryConfig

UNTRACED_PATHS: Final = frozenset({"/health/live", "/health/ready", "/metrics"})
"""Probe and scrape endpoints are not traced."""


def fastapi_telemetry(untraced_paths: Collection[str] = UNTRACED_PATHS) -> TelemetryConfig:
    """`FastAPI(telemetry=...)`: FastAPI's own server span per request, nothing more.

    One SERVER span per request (named `METHOD /route`, parent from `traceparent` / `x-trace-id`
    through the global propagator, which this installs), none for `untraced_paths`. Off: the
    per-stage operation spans (dependencies, endpoint, serialization), FastAPI's OpenTelemetry
    metrics (the platform's are Prometheus, `RequestMetrics`) and its log records (the platform
    logs through `setup_logging`). ADR 0016 has the measurements behind this choice.
    """
    install_propagators()
    skipped = frozenset(untraced_paths)
    return {
        "tracing": True,
        "metrics": False,
        "logs": False,
        "operation_spans": False,
        "exclude": lambda scope: scope.get("path") in skipped,
    }


def instrument_httpx(client: httpx.Client | httpx.AsyncClient | None = None) -> None:
    """Client spans and header injection for httpx. Idempotent.

    Without `client`, instruments the default transports (`HTTPTransport`, `AsyncHTTPTransport`)
    of every client. With `client`, instruments that client's own transport too, which is what
    a client built on another transport (e.g. `httpx.ASGITransport` in tests) needs.
    """
    import httpx
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    install_propagators()
    instrumentor = HTTPXClientInstrumentor()
    if client is None:
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()
        return
    if getattr(client, "_is_instrumented_by_opentelemetry", False):
        return
    if instrumentor.is_instrumented_by_opentelemetry and isinstance(
        client._transport, (httpx.HTTPTransport, httpx.AsyncHTTPTransport)
    ):
        return  # already covered by the global instrumentation; wrapping again doubles spans
    HTTPXClientInstrumentor.instrument_client(client)


async def aiohttp_client_span(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """aiohttp client middleware (`ClientSession(middlewares=...)`): a CLIENT span per request,
    its context injected into the request's headers with the global propagator.

    In place of the contrib aiohttp instrumentation, whose trace-signal callbacks cost about as
    much CPU as the request itself (ADR 0016). Attribute names follow the current HTTP semantic
    conventions, like FastAPI's server spans. A caller's own `x-trace-id` header is kept.
    """
    from opentelemetry.instrumentation.utils import is_http_instrumentation_enabled

    if not is_http_instrumentation_enabled():
        return await handler(request)
    url = request.url
    attributes: dict[str, AttributeValue] = {
        "http.request.method": request.method,
        "server.address": url.host or "",
        "server.port": url.port or 0,
        "url.full": str(url),
    }
    with _tracer().start_as_current_span(request.method, kind=SpanKind.CLIENT, attributes=attributes) as span:
        inject(request.headers)
        response = await handler(request)
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_status(StatusCode.ERROR)
        return response


def _tracer() -> Tracer:
    return trace.get_tracer("shared_observability.aiohttp_client")


def instrument_asyncpg() -> None:
    """Spans for asyncpg queries (statement text only, never parameters). Idempotent."""
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]  # untyped __init__ upstream
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


async def reset_untraced(conn: asyncpg.Connection) -> None:
    """asyncpg's pool reset (advisory locks, cursors, LISTEN, settings) without a span.

    For `asyncpg.create_pool(reset=...)`: the pool runs its reset query at every release, so the
    asyncpg instrumentation would otherwise add one span (created and exported) per borrowed
    connection, twice the spans of a one-query request, and none of them says anything.
    """
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    query = conn.get_reset_query()
    if query:
        with suppress_instrumentation():
            await conn.execute(query)
