"""Calls to the owning services' internal APIs: pooled, traced, and bounded in time.

An answer is passed on when it is the platform's own (any 2xx-4xx, or an error of the standard body,
e.g. a 503 during the nightly batch window). Anything else (no connection, a timeout, a 5xx or 4xx
without the standard error body) raises `UpstreamUnavailable`, which the caller answers with 503.

Load shedding: at most `max_in_flight` calls to one service are under way (those holding a pooled
connection and those waiting for one); a call beyond that is refused at once (`AT_CAPACITY`)
instead of queueing towards the deadline, which under overload only grows every wait until callers
give up on answers that are still computed (ADR 0024).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Protocol

from gateway.domain.routing import Upstream
from shared_contracts.errors import ErrorCategory

log = logging.getLogger(__name__)

PASSED_RESPONSE_HEADERS: Final = frozenset(
    {"content-type", "location", "retry-after", "etag", "last-modified", "cache-control", "link"}
)
"""Upstream response headers the caller sees; hop-by-hop, framing and tracing headers are not."""

AT_CAPACITY: Final = "at capacity"
"""`UpstreamUnavailable.reason` of a call refused because `max_in_flight` calls are under way."""


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class UpstreamConnectionError(Exception):
    """No answer: the connection failed or broke (`reason` names the library's error)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UpstreamClient(Protocol):
    """One owning service's HTTP client (`gateway.adapters.upstream_clients`)."""

    async def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> UpstreamResponse:
        """The answer with every header (names lower-case); `UpstreamConnectionError` for none."""
        ...

    async def aclose(self) -> None: ...


ClientFactory = Callable[[Upstream, str], UpstreamClient]


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


def passes_through(status: int, body: bytes) -> bool:
    if status < 400:
        return True
    return is_platform_error_body(body)


class Upstreams:
    def __init__(
        self,
        base_urls: Mapping[Upstream, str],
        enabled: frozenset[Upstream],
        client_factory: ClientFactory,
        *,
        deadline_seconds: float,
        max_in_flight: int | None = None,
    ) -> None:
        self.enabled = enabled
        self.deadline_seconds = deadline_seconds
        self.max_in_flight = max_in_flight
        self._clients = {name: client_factory(name, base_urls[name]) for name in enabled}
        self._in_flight = dict.fromkeys(enabled, 0)

    def is_enabled(self, upstream: Upstream) -> bool:
        return upstream in self._clients

    async def send(
        self, upstream: Upstream, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> UpstreamResponse:
        """`target` is the path with its query string, exactly as the caller sent it."""
        client = self._clients.get(upstream)
        if client is None:
            raise UpstreamDisabled(upstream)
        if self.max_in_flight is not None and self._in_flight[upstream] >= self.max_in_flight:
            raise UpstreamUnavailable(upstream, AT_CAPACITY)
        self._in_flight[upstream] += 1
        try:
            async with asyncio.timeout(self.deadline_seconds):
                answer = await client.exchange(method, target, headers, body)
        except TimeoutError as error:
            raise UpstreamUnavailable(upstream, "timeout") from error
        except UpstreamConnectionError as error:
            raise UpstreamUnavailable(upstream, error.reason) from error
        finally:
            self._in_flight[upstream] -= 1
        if not passes_through(answer.status, answer.body):
            raise UpstreamUnavailable(upstream, f"answered {answer.status} without the error body")
        headers_out = {
            name: value for name, value in answer.headers.items() if name in PASSED_RESPONSE_HEADERS
        }
        return UpstreamResponse(answer.status, answer.body, headers_out)

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()), return_exceptions=True)
