"""Calls to the owning services' internal APIs: pooled, traced, and bounded in time.

An answer is passed on when it is the platform's own (any 2xx-4xx, or an error of the standard body,
e.g. a 503 during the nightly batch window). Anything else (no connection, a timeout, a 5xx or 4xx
without the standard error body) raises `UpstreamUnavailable`, which the caller answers with 503.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

import httpx

from gateway.domain.routing import Upstream
from shared_contracts.errors import ErrorCategory
from shared_http import create_client

log = logging.getLogger(__name__)

PASSED_RESPONSE_HEADERS: Final = frozenset(
    {"content-type", "location", "retry-after", "etag", "last-modified", "cache-control", "link"}
)
"""Upstream response headers the caller sees; hop-by-hop, framing and tracing headers are not."""

ClientFactory = Callable[[Upstream, str], httpx.AsyncClient]


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class UpstreamUnavailable(Exception):
    def __init__(self, upstream: Upstream, reason: str) -> None:
        super().__init__(f"{upstream.value}: {reason}")
        self.upstream = upstream
        self.reason = reason


class UpstreamDisabled(Exception):
    def __init__(self, upstream: Upstream) -> None:
        super().__init__(upstream.value)
        self.upstream = upstream


def is_platform_error_body(body: bytes) -> bool:
    """Whether `body` is the standard error body (API.md "Error body")."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(document, dict)
        and document.get("status") == "ERROR"
        and isinstance(document.get("code"), str)
        and document.get("category") in set(ErrorCategory)
        and isinstance(document.get("message"), str)
    )


def _as_bytes(headers: Mapping[str, str]) -> dict[bytes, bytes]:
    """Header values exactly as received: the server decoded them as latin-1 (httpx would want ASCII)."""
    return {name.encode("latin-1"): value.encode("latin-1", "replace") for name, value in headers.items()}


def passes_through(status: int, body: bytes) -> bool:
    if status < 400:
        return True
    return is_platform_error_body(body)


def default_client_factory(
    timeout_seconds: float, connect_timeout_seconds: float, max_connections: int
) -> ClientFactory:
    def factory(_: Upstream, base_url: str) -> httpx.AsyncClient:
        return create_client(
            base_url,
            timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds,
            max_connections=max_connections,
        )

    return factory


class Upstreams:
    def __init__(
        self,
        base_urls: Mapping[Upstream, str],
        enabled: frozenset[Upstream],
        client_factory: ClientFactory,
        *,
        deadline_seconds: float,
    ) -> None:
        self.enabled = enabled
        self.deadline_seconds = deadline_seconds
        self._clients = {name: client_factory(name, base_urls[name]) for name in enabled}

    def is_enabled(self, upstream: Upstream) -> bool:
        return upstream in self._clients

    async def send(
        self, upstream: Upstream, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> UpstreamResponse:
        """`target` is the path with its query string, exactly as the caller sent it."""
        client = self._clients.get(upstream)
        if client is None:
            raise UpstreamDisabled(upstream)
        try:
            async with asyncio.timeout(self.deadline_seconds):
                response = await client.request(
                    method, target, headers=_as_bytes(headers), content=body or None
                )
                content = await response.aread()
        except TimeoutError as error:
            raise UpstreamUnavailable(upstream, "timeout") from error
        except httpx.TimeoutException as error:
            raise UpstreamUnavailable(upstream, "timeout") from error
        except httpx.HTTPError as error:
            raise UpstreamUnavailable(upstream, type(error).__name__) from error
        if not passes_through(response.status_code, content):
            raise UpstreamUnavailable(upstream, f"answered {response.status_code} without the error body")
        headers_out = {
            name: value for name, value in response.headers.items() if name.lower() in PASSED_RESPONSE_HEADERS
        }
        return UpstreamResponse(response.status_code, content, headers_out)

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()), return_exceptions=True)
