"""Calls to owning services: what passes through, what becomes UNAVAILABLE, and that it is bounded."""

import asyncio
import json
import time

import httpx
import pytest

from gateway.adapters.upstream_clients import HttpxUpstream
from gateway.domain.routing import Upstream
from gateway.service_layer.forwarding import (
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


def upstreams(handler: httpx.MockTransport, deadline: float = 5.0) -> Upstreams:
    return Upstreams(
        {upstream: f"http://{upstream.value}" for upstream in Upstream},
        frozenset({Upstream.ENRICHMENT}),
        lambda _, base_url: HttpxUpstream(httpx.AsyncClient(transport=handler, base_url=base_url)),
        deadline_seconds=deadline,
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
