"""Calls to owning services: what passes through, what becomes UNAVAILABLE, and that it is bounded."""

import asyncio
import json
import time

import httpx
import pytest

from gateway.adapters.upstream_clients import HttpxUpstream
from gateway.domain.routing import Upstream
from gateway.service_layer.forwarding import (
    AT_CAPACITY,
    UpstreamDisabled,
    Upstreams,
    UpstreamUnavailable,
    is_platform_error_body,
)

ERROR_BODY = {
    "status": "ERROR",
    "code": "STEP_INCOMPLETE",
    "category": "BUSINESS",
    "message": "m",
    "traceId": "t",
}


def upstreams(
    handler: httpx.MockTransport, deadline: float = 5.0, max_in_flight: int | None = None
) -> Upstreams:
    return Upstreams(
        {upstream: f"http://{upstream.value}" for upstream in Upstream},
        frozenset({Upstream.ENRICHMENT}),
        lambda _, base_url: HttpxUpstream(httpx.AsyncClient(transport=handler, base_url=base_url)),
        deadline_seconds=deadline,
        max_in_flight=max_in_flight,
    )


def answering(status: int, body: bytes, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    return httpx.MockTransport(lambda _: httpx.Response(status, content=body, headers=headers or {}))


def test_the_standard_error_body_is_recognised() -> None:
    assert is_platform_error_body(json.dumps(ERROR_BODY).encode())
    assert not is_platform_error_body(b"<html>Bad gateway</html>")
    assert not is_platform_error_body(json.dumps({**ERROR_BODY, "category": "OOPS"}).encode())
    assert not is_platform_error_body(b'{"detail": "Not Found"}')


async def test_success_and_platform_errors_pass_through_with_selected_headers() -> None:
    headers = {"content-type": "application/json", "location": "/x", "server": "uvicorn", "x-trace-id": "t"}
    for status, body in ((201, b'{"ok": 1}'), (409, json.dumps(ERROR_BODY).encode())):
        answer = await upstreams(answering(status, body, headers)).send(
            Upstream.ENRICHMENT, "POST", "/p", {}, b"{}"
        )
        assert (answer.status, answer.body) == (status, body)
        assert answer.headers == {"content-type": "application/json", "location": "/x"}


@pytest.mark.parametrize(
    ("status", "body"), [(500, b"Internal Server Error"), (502, b""), (404, b"Not Found")]
)
async def test_answers_without_the_error_body_are_unavailable(status: int, body: bytes) -> None:
    with pytest.raises(UpstreamUnavailable):
        await upstreams(answering(status, body)).send(Upstream.ENRICHMENT, "GET", "/p", {}, b"")


async def test_a_platform_503_passes_through() -> None:
    body = json.dumps({**ERROR_BODY, "code": "BATCH_WINDOW", "category": "UNAVAILABLE"}).encode()
    answer = await upstreams(answering(503, body)).send(Upstream.ENRICHMENT, "POST", "/p", {}, b"{}")
    assert answer.status == 503


async def test_connection_errors_are_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(UpstreamUnavailable, match="ConnectError"):
        await upstreams(httpx.MockTransport(refuse)).send(Upstream.ENRICHMENT, "GET", "/p", {}, b"")


async def test_a_hanging_upstream_is_cut_off_at_the_deadline() -> None:
    async def hang(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        return httpx.Response(200)

    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match="timeout"):
        await upstreams(httpx.MockTransport(hang), deadline=0.2).send(
            Upstream.ENRICHMENT, "GET", "/p", {}, b""
        )
    assert time.monotonic() - started < 2


async def test_a_disabled_upstream_is_never_called() -> None:
    with pytest.raises(UpstreamDisabled):
        await upstreams(answering(200, b"{}")).send(Upstream.INVENTORY, "POST", "/p", {}, b"{}")


async def test_calls_beyond_max_in_flight_are_refused_at_once_and_the_slots_come_back() -> None:
    release, both_arrived = asyncio.Event(), asyncio.Event()
    arrived = 0

    async def held(_: httpx.Request) -> httpx.Response:
        nonlocal arrived
        arrived += 1
        if arrived == 2:
            both_arrived.set()
        await release.wait()
        return httpx.Response(201, content=b"{}")

    forwarding = upstreams(httpx.MockTransport(held), max_in_flight=2)

    def call() -> "asyncio.Task[object]":
        return asyncio.ensure_future(forwarding.send(Upstream.ENRICHMENT, "POST", "/p", {}, b"{}"))

    under_way = [call(), call()]
    await asyncio.wait_for(both_arrived.wait(), 5)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable, match=AT_CAPACITY):
        await call()
    assert time.monotonic() - started < 1  # refused, not queued
    assert arrived == 2

    release.set()
    assert [answer.status for answer in await asyncio.gather(*under_way)] == [201, 201]
    assert (await call()).status == 201  # the slots were given back, also after a refusal


async def test_a_failed_call_gives_its_slot_back() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    forwarding = upstreams(httpx.MockTransport(refuse), max_in_flight=1)
    for _ in range(3):
        with pytest.raises(UpstreamUnavailable, match="ConnectError"):
            await forwarding.send(Upstream.ENRICHMENT, "GET", "/p", {}, b"")
