"""One request with `x-trace-id` through two FastAPI apps and an httpx call is one trace."""

from __future__ import annotations

import asyncio
import contextvars

import httpx
from fastapi import FastAPI
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Receive, Scope, Send

from shared_observability import fastapi_telemetry, instrument_httpx, trace_id_hex_for
from shared_observability.testing import finished_spans, spans_for_trace


def isolated(app: ASGIApp) -> ASGIApp:
    """Run `app` in an empty contextvars context, as if it were another process.

    Without this, the in-process call would see the caller's active span and the downstream
    app would not extract the headers at all; with it, only the headers carry the trace.
    """

    async def run(scope: Scope, receive: Receive, send: Send) -> None:
        async def call_app() -> None:
            await app(scope, receive, send)

        await asyncio.create_task(call_app(), context=contextvars.Context())

    return run


def build_apps() -> FastAPI:
    downstream = FastAPI(telemetry=fastapi_telemetry())

    @downstream.get("/stock/{item}")
    async def stock(item: str) -> dict[str, object]:
        return {"item": item, "available": 3}

    upstream = FastAPI(telemetry=fastapi_telemetry())

    @upstream.get("/orders/{order_id}")
    async def order(order_id: str) -> dict[str, object]:
        transport = httpx.ASGITransport(app=isolated(downstream))
        async with httpx.AsyncClient(transport=transport, base_url="http://inventory") as client:
            instrument_httpx(client)
            response = await client.get("/stock/SKU-1")
        return {"order_id": order_id, "stock": response.json()}

    return upstream


async def call(app: FastAPI, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=isolated(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        return await client.get("/orders/O-1", headers=headers)


async def test_non_hex_x_trace_id_makes_one_trace_across_apps() -> None:
    raw = "distributor-journey-42"
    response = await call(build_apps(), {"x-trace-id": raw})
    assert response.status_code == 200
    assert response.json()["stock"]["available"] == 3

    spans = spans_for_trace(trace_id_hex_for(raw))
    assert len(spans) == len(finished_spans()) == 3
    by_kind = {span.kind: [s for s in spans if s.kind == span.kind] for span in spans}
    assert len(by_kind[SpanKind.SERVER]) == 2
    assert len(by_kind[SpanKind.CLIENT]) == 1
    for span in spans:
        assert (span.attributes or {})["x_trace_id"] == raw, span.name

    client_span = by_kind[SpanKind.CLIENT][0]
    upstream_span = next(s for s in by_kind[SpanKind.SERVER] if s.name.startswith("GET /orders"))
    downstream_span = next(s for s in by_kind[SpanKind.SERVER] if s.name.startswith("GET /stock"))
    assert client_span.parent is not None
    assert downstream_span.parent is not None
    assert client_span.parent.span_id == upstream_span.context.span_id
    assert downstream_span.parent.span_id == client_span.context.span_id
    assert downstream_span.parent.is_remote


async def test_hex_x_trace_id_is_the_trace_id() -> None:
    raw = "5c1e2a3b4d5f60718293a4b5c6d7e8f9"
    await call(build_apps(), {"x-trace-id": raw})
    spans = spans_for_trace(raw)
    assert len(spans) == 3
    assert all((span.attributes or {})["x_trace_id"] == raw for span in spans)


async def test_probe_endpoints_are_not_traced() -> None:
    app = FastAPI(telemetry=fastapi_telemetry())

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    transport = httpx.ASGITransport(app=isolated(app))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        response = await client.get("/health/live", headers={"x-trace-id": "probe"})
    assert response.status_code == 200
    assert finished_spans() == []
