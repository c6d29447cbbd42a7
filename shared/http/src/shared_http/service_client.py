"""A JSON client of another service's internal API: aiohttp on the network, httpx in tests.

`service_client(base_url, ...)` answers with an aiohttp-backed client (a fraction of httpx's CPU
per request, ADR 0016); with `transport=` it wraps an `httpx.AsyncClient` on that transport, so
tests can put the other service in-process (`httpx.ASGITransport`). Both raise
`ServiceUnreachableError` (a `ConnectionError`) for no answer, a timeout included.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx

from shared_http.session import create_session
from shared_observability.instrumentation import instrument_httpx


class ServiceUnreachableError(ConnectionError):
    """The service did not answer (refused, broken connection, timeout)."""


@dataclass(frozen=True)
class ServiceAnswer:
    status: int
    content: bytes

    def json(self) -> Any:
        """The body as JSON; `ValueError` when it is not."""
        return json.loads(self.content)


class ServiceClient(Protocol):
    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ServiceAnswer: ...

    async def aclose(self) -> None: ...


class AiohttpServiceClient:
    def __init__(
        self, base_url: str, *, timeout_seconds: float, connect_timeout_seconds: float, max_connections: int
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout_seconds = timeout_seconds
        self._connect_timeout_seconds = connect_timeout_seconds
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None  # made in the running loop, on first use
        self._closed = False

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ServiceAnswer:
        if self._closed:
            raise ServiceUnreachableError("the client is closed (the service is stopping)")
        if self._session is None:
            self._session = create_session(
                timeout_seconds=self._timeout_seconds,
                connect_timeout_seconds=self._connect_timeout_seconds,
                max_connections=self._max_connections,
            )
        sent_headers = dict(headers or {})
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            sent_headers.setdefault("content-type", "application/json")
        try:
            async with self._session.request(
                method,
                self._base_url + path,
                params=params,
                headers=sent_headers,
                data=data,
                allow_redirects=False,
            ) as response:
                return ServiceAnswer(response.status, await response.read())
        except TimeoutError as error:
            raise ServiceUnreachableError(f"{method} {path}: timeout") from error
        except aiohttp.ClientError as error:
            raise ServiceUnreachableError(f"{method} {path}: {error!r}") from error

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()


class HttpxServiceClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ServiceAnswer:
        try:
            response = await self._client.request(
                method, path, json=json_body, params=params, headers=dict(headers or {})
            )
            return ServiceAnswer(response.status_code, await response.aread())
        except (httpx.HTTPError, RuntimeError) as error:  # RuntimeError: the client was closed
            raise ServiceUnreachableError(f"{method} {path}: {error!r}") from error

    async def aclose(self) -> None:
        await self._client.aclose()


def service_client(
    base_url: str,
    *,
    timeout_seconds: float = 5.0,
    connect_timeout_seconds: float = 2.0,
    max_connections: int = 100,
    transport: httpx.AsyncBaseTransport | None = None,
) -> ServiceClient:
    if transport is None:
        return AiohttpServiceClient(
            base_url,
            timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds,
            max_connections=max_connections,
        )
    client = httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
    )
    instrument_httpx(client)
    return HttpxServiceClient(client)
