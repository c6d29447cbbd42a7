"""Instrumentation of FastAPI, httpx, aiohttp (client) and asyncpg, each idempotent.

The instrumented libraries are imported only when their wrapper is called, so a process that
never serves HTTP does not import FastAPI. All of them inject / extract with the global
propagator, so they install ours first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from .propagation import install_propagators

if TYPE_CHECKING:
    import aiohttp
    import asyncpg
    import httpx
    from fastapi import FastAPI

DEFAULT_EXCLUDED_URLS: Final = "/health/live,/health/ready,/metrics"
"""Probe and scrape endpoints are not traced (comma separated regexes, matched on the URL)."""


def instrument_fastapi(
    app: FastAPI,
    *,
    excluded_urls: str | None = DEFAULT_EXCLUDED_URLS,
    exclude_send_receive: bool = True,
) -> None:
    """Trace every request of `app` (server spans started from `traceparent` / `x-trace-id`).

    Idempotent per app. `excluded_urls=None` falls back to `OTEL_PYTHON_FASTAPI_EXCLUDED_URLS`.
    `exclude_send_receive` drops the per-ASGI-message internal spans.
    """
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    install_propagators()
    if getattr(app, "_is_instrumented_by_opentelemetry", False):
        return
    exclude_spans: list[Literal["receive", "send"]] | None = (
        ["receive", "send"] if exclude_send_receive else None
    )
    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded_urls, exclude_spans=exclude_spans)


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


def aiohttp_trace_configs() -> list[aiohttp.TraceConfig]:
    """What an `aiohttp.ClientSession` needs for client spans and header injection."""
    from opentelemetry.instrumentation.aiohttp_client import create_trace_config

    install_propagators()
    return [create_trace_config()]


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
