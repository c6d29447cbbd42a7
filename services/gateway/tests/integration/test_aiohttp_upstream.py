"""The gateway's production upstream client against a real HTTP server on a local port."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web

from gateway.adapters.upstream_clients import AiohttpUpstream
from gateway.domain.routing import Upstream
from gateway.service_layer.forwarding import UpstreamConnectionError, Upstreams, UpstreamUnavailable
from shared_testing.local_server import serving
from shared_testing.platform import free_port

seen: list[web.Request] = []


async def echo(request: web.Request) -> web.Response:
    seen.append(request)
    body = await request.read()
    return web.Response(status=201, body=body, headers={"location": "/made"})


async def redirect(_: web.Request) -> web.Response:
    raise web.HTTPFound("/elsewhere")


async def hang(_: web.Request) -> web.Response:
    await asyncio.sleep(30)
    return web.Response()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/echo/{tail:.*}", echo)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/hang", hang)
    seen.clear()
    async with serving(app) as url:
        yield url


def client(base_url: str) -> AiohttpUpstream:
    return AiohttpUpstream(base_url, timeout_seconds=2.0, connect_timeout_seconds=0.5, max_connections=4)


async def test_method_path_query_headers_and_body_arrive_as_sent(server: str) -> None:
    upstream = client(server)
    try:
        answer = await upstream.exchange(
            "POST",
            "/echo/a%2Fb?x=1&y=%C3%A9",
            {"content-type": "application/json", "source": "système".encode().decode("latin-1")},
            b'{"k": 1}',
        )
    finally:
        await upstream.aclose()
    assert (answer.status, answer.body) == (201, b'{"k": 1}')
    assert answer.headers["location"] == "/made"
    [request] = seen
    assert request.method == "POST"
    assert request.raw_path == "/echo/a%2Fb?x=1&y=%C3%A9"
    assert request.headers["content-type"] == "application/json"
    assert (b"source", "système".encode()) in request.raw_headers  # the caller's UTF-8 bytes


async def test_a_redirect_is_passed_on_not_followed(server: str) -> None:
    upstream = client(server)
    try:
        answer = await upstream.exchange("GET", "/redirect", {}, b"")
    finally:
        await upstream.aclose()
    assert answer.status == 302
    assert answer.headers["location"] == "/elsewhere"


async def test_no_server_is_a_connection_error() -> None:
    upstream = client(f"http://127.0.0.1:{free_port()}")
    try:
        with pytest.raises(UpstreamConnectionError):
            await upstream.exchange("GET", "/echo/x", {}, b"")
    finally:
        await upstream.aclose()


async def test_a_hanging_server_is_cut_off_at_the_deadline(server: str) -> None:
    upstreams = Upstreams(
        {upstream: server for upstream in Upstream},
        frozenset({Upstream.ENRICHMENT}),
        lambda _, base_url: client(base_url),
        deadline_seconds=0.3,
    )
    try:
        with pytest.raises(UpstreamUnavailable, match="timeout"):
            await upstreams.send(Upstream.ENRICHMENT, "GET", "/hang", {}, b"")
    finally:
        await upstreams.aclose()
