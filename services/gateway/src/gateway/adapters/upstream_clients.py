"""HTTP clients of the owning services, behind `forwarding.UpstreamClient`.

`AiohttpUpstream` is what the gateway runs with (a fraction of httpx's CPU per request, ADR 0016);
`HttpxUpstream` wraps any `httpx.AsyncClient`, which lets tests put in-process ASGI fakes
(`httpx.ASGITransport`) or `httpx.MockTransport` behind the gateway.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
import httpx
from yarl import URL

from gateway.domain.routing import Upstream
from gateway.service_layer.forwarding import ClientFactory, UpstreamConnectionError, UpstreamResponse
from shared_http import create_session


def _wire_value(value: str) -> str:
    """A header value as the caller's bytes again: the ASGI server decoded them as latin-1 and
    aiohttp encodes UTF-8. Bytes that are not UTF-8 cannot pass through aiohttp unchanged; they
    become U+FFFD."""
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


class AiohttpUpstream:
    def __init__(
        self, base_url: str, *, timeout_seconds: float, connect_timeout_seconds: float, max_connections: int
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = create_session(
            timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds,
            max_connections=max_connections,
        )

    async def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> UpstreamResponse:
        url = URL(self._base_url + target, encoded=True)  # the caller's path and query, byte for byte
        wire_headers = {name: _wire_value(value) for name, value in headers.items()}
        try:
            async with self._session.request(
                method, url, headers=wire_headers, data=body or None, allow_redirects=False
            ) as response:
                content = await response.read()
                return UpstreamResponse(
                    response.status,
                    content,
                    {name.lower(): value for name, value in response.headers.items()},
                )
        except TimeoutError:
            raise  # aiohttp's read and connect timeouts are TimeoutErrors too
        except aiohttp.ClientError as error:
            raise UpstreamConnectionError(type(error).__name__) from error

    async def aclose(self) -> None:
        await self._session.close()


class HttpxUpstream:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> UpstreamResponse:
        raw_headers = {
            name.encode("latin-1"): value.encode("latin-1", "replace") for name, value in headers.items()
        }
        try:
            response = await self._client.request(method, target, headers=raw_headers, content=body or None)
            content = await response.aread()
        except httpx.TimeoutException as error:
            raise TimeoutError(str(error)) from error
        except httpx.HTTPError as error:
            raise UpstreamConnectionError(type(error).__name__) from error
        return UpstreamResponse(
            response.status_code, content, {name.lower(): value for name, value in response.headers.items()}
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def aiohttp_factory(
    timeout_seconds: float, connect_timeout_seconds: float, max_connections: int
) -> ClientFactory:
    def factory(_: Upstream, base_url: str) -> AiohttpUpstream:
        return AiohttpUpstream(
            base_url,
            timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds,
            max_connections=max_connections,
        )

    return factory
