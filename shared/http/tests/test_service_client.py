"""`service_client` on the network (aiohttp) against a real local server, and on an httpx transport."""

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from shared_http.service_client import ServiceUnreachableError, service_client
from shared_testing.local_server import serving
from shared_testing.platform import free_port


async def echo(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "method": request.method,
            "query": dict(request.query),
            "header": request.headers.get("x-trace-id"),
            "contentType": request.headers.get("content-type"),
            "body": (await request.json()) if request.can_read_body else None,
        },
        status=201,
    )


async def hang(_: web.Request) -> web.Response:
    await asyncio.sleep(30)
    return web.Response()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/hang", hang)
    async with serving(app) as url:
        yield url


async def test_json_request_and_answer_over_the_network(server: str) -> None:
    client = service_client(server)
    try:
        answer = await client.request(
            "POST", "/echo", json_body={"n": 1.5}, params={"q": "é"}, headers={"x-trace-id": "t-1"}
        )
    finally:
        await client.aclose()
    assert answer.status == 201
    assert answer.json() == {
        "method": "POST",
        "query": {"q": "é"},
        "header": "t-1",
        "contentType": "application/json",
        "body": {"n": 1.5},
    }


async def test_no_server_a_timeout_and_a_closed_client_are_unreachable(server: str) -> None:
    nobody = service_client(f"http://127.0.0.1:{free_port()}", connect_timeout_seconds=0.5)
    slow = service_client(server, timeout_seconds=0.3)
    try:
        with pytest.raises(ServiceUnreachableError):
            await nobody.request("GET", "/echo")
        with pytest.raises(ServiceUnreachableError, match="timeout"):
            await slow.request("GET", "/hang")
    finally:
        await nobody.aclose()
        await slow.aclose()
    with pytest.raises(ServiceUnreachableError, match="closed"):
        await slow.request("GET", "/echo")


async def test_an_httpx_transport_stands_in_for_the_network() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path, "body": json.loads(request.content)})

    client = service_client("http://inventory", transport=httpx.MockTransport(answer))
    try:
        got = await client.request("POST", "/x", json_body={"a": 1})
    finally:
        await client.aclose()
    assert (got.status, got.json()) == (200, {"path": "/x", "body": {"a": 1}})
