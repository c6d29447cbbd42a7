"""The pooled aiohttp session traces each call: one CLIENT span, its context sent in the headers."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from shared_http.session import create_session
from shared_observability.testing import enable_test_tracing, finished_spans, reset_spans
from shared_testing.local_server import serving
from shared_testing.platform import free_port


async def headers_seen(request: web.Request) -> web.Response:
    status = int(request.query.get("status", "200"))
    return web.json_response({name.lower(): value for name, value in request.headers.items()}, status=status)


@pytest.fixture(autouse=True)
def tracing() -> None:
    enable_test_tracing("http-tests")
    reset_spans()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/headers", headers_seen)
    async with serving(app) as url:
        yield url


def client_spans() -> list:
    return [span for span in finished_spans() if span.kind == SpanKind.CLIENT]


async def test_a_call_inside_a_span_is_its_child_and_carries_its_context(server: str) -> None:
    session = create_session()
    try:
        with trace.get_tracer("test").start_as_current_span("handling") as parent:
            async with session.get(f"{server}/headers?status=201") as response:
                seen = await response.json()
    finally:
        await session.close()
    (span,) = client_spans()
    assert span.name == "GET"
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    assert span.attributes is not None
    assert span.attributes["http.request.method"] == "GET"
    assert span.attributes["http.response.status_code"] == 201
    assert span.attributes["url.full"] == f"{server}/headers?status=201"
    assert span.status.status_code == StatusCode.UNSET
    trace_id = f"{span.context.trace_id:032x}"
    span_id = f"{span.context.span_id:016x}"
    assert seen["traceparent"].startswith(f"00-{trace_id}-{span_id}-")


async def test_the_callers_x_trace_id_header_is_sent_unchanged(server: str) -> None:
    session = create_session()
    try:
        async with session.get(f"{server}/headers", headers={"x-trace-id": "journey-7"}) as response:
            seen = await response.json()
    finally:
        await session.close()
    (span,) = client_spans()
    assert seen["x-trace-id"] == "journey-7"
    assert seen["traceparent"].split("-")[1] == f"{span.context.trace_id:032x}"


async def test_a_server_error_or_no_answer_marks_the_span_failed(server: str) -> None:
    session = create_session(connect_timeout_seconds=1.0)
    try:
        async with session.get(f"{server}/headers?status=503") as response:
            assert response.status == 503
        with pytest.raises(aiohttp.ClientConnectorError):
            async with session.get(f"http://127.0.0.1:{free_port()}/headers"):
                pass
    finally:
        await session.close()
    failed, refused = client_spans()
    assert failed.attributes is not None
    assert failed.attributes["http.response.status_code"] == 503
    assert failed.status.status_code == StatusCode.ERROR
    assert refused.status.status_code == StatusCode.ERROR
    assert [event.name for event in refused.events] == ["exception"]
