"""Exactly one upstream call per (client, `x-transaction-id`), answers replayed to duplicates.

The first request claims the key in the database (`INSERT ... ON CONFLICT`), calls the upstream
and stores the answer; a duplicate with the same fingerprint that arrives meanwhile waits (bounded)
for it and replays it. Waiting uses an in-process event when the owner runs in this process and a
backing-off database poll otherwise (another replica). A failed call (5xx, no answer) releases the
claim, and a waiting duplicate then proceeds as a retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from gateway import metrics
from gateway.domain.idempotency import (
    Decision,
    IdempotencyRecord,
    StoredResponse,
    decide,
    is_final,
)
from gateway.service_layer.forwarding import UpstreamResponse
from shared_http.errors import ApiError

log = logging.getLogger(__name__)

REPLAY_HEADER = "idempotent-replay"
STORED_HEADERS = frozenset({"content-type", "location"})
POLL_INITIAL_SECONDS = 0.02
POLL_MAX_SECONDS = 0.25


class IdempotencyStore(Protocol):
    async def claim(
        self, client_id: str, key: str, fingerprint: str, *, lease_seconds: float, ttl_seconds: int
    ) -> bool: ...

    async def get(self, client_id: str, key: str) -> IdempotencyRecord | None: ...

    async def complete(
        self, client_id: str, key: str, fingerprint: str, response: StoredResponse
    ) -> None: ...

    async def release(self, client_id: str, key: str, fingerprint: str) -> None: ...


@dataclass(frozen=True)
class Outcome:
    response: UpstreamResponse
    replayed: bool


def _conflict(key: str) -> ApiError:
    return ApiError(
        409,
        "IDEMPOTENCY_CONFLICT",
        f"x-transaction-id '{key[:64]}' was already used with a different request; use a new one",
    )


def _still_running(key: str) -> ApiError:
    return ApiError(
        409,
        "IDEMPOTENCY_IN_PROGRESS",
        f"A request with x-transaction-id '{key[:64]}' is still being processed; retry later",
        headers={"Retry-After": "1"},
    )


class IdempotencyGuard:
    def __init__(
        self,
        store: IdempotencyStore,
        *,
        ttl_seconds: int,
        lease_seconds: float,
        wait_seconds: float,
    ) -> None:
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        self._running: dict[tuple[str, str], asyncio.Event] = {}

    async def execute(
        self,
        client_id: str,
        key: str,
        fingerprint: str,
        call: Callable[[], Awaitable[UpstreamResponse]],
    ) -> Outcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        poll = POLL_INITIAL_SECONDS
        while True:
            claimed = await self.store.claim(
                client_id, key, fingerprint, lease_seconds=self.lease_seconds, ttl_seconds=self.ttl_seconds
            )
            if claimed:
                return Outcome(await self._run(client_id, key, fingerprint, call), replayed=False)
            record = await self.store.get(client_id, key)
            if record is None:
                continue  # released or expired in between: try to claim it again
            decision = decide(record, fingerprint)
            if decision is Decision.CONFLICT:
                raise _conflict(key)
            if decision is Decision.REPLAY:
                assert record.response is not None
                metrics.IDEMPOTENT_REPLAYS.inc()
                stored = record.response
                return Outcome(UpstreamResponse(stored.status, stored.body, stored.headers), replayed=True)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise _still_running(key)
            poll = await self._wait(client_id, key, remaining, poll)

    async def _wait(self, client_id: str, key: str, remaining: float, poll: float) -> float:
        """Until the owner in this process finishes, else one poll interval; returns the next interval."""
        running = self._running.get((client_id, key))
        if running is None:
            await asyncio.sleep(min(remaining, poll))
            return min(poll * 2, POLL_MAX_SECONDS)
        try:
            async with asyncio.timeout(remaining):
                await running.wait()
        except TimeoutError:
            pass
        return POLL_INITIAL_SECONDS

    async def _run(
        self,
        client_id: str,
        key: str,
        fingerprint: str,
        call: Callable[[], Awaitable[UpstreamResponse]],
    ) -> UpstreamResponse:
        slot = (client_id, key)
        done = asyncio.Event()
        self._running[slot] = done
        try:
            try:
                response = await call()
            except Exception:
                await self._release(client_id, key, fingerprint)
                raise
            if is_final(response.status):
                await self._store(client_id, key, fingerprint, response)
            else:
                await self._release(client_id, key, fingerprint)
            return response
        finally:
            done.set()
            if self._running.get(slot) is done:
                del self._running[slot]

    async def _store(self, client_id: str, key: str, fingerprint: str, response: UpstreamResponse) -> None:
        headers = {name: value for name, value in response.headers.items() if name.lower() in STORED_HEADERS}
        stored = StoredResponse(response.status, response.body, headers)
        try:
            await asyncio.shield(self.store.complete(client_id, key, fingerprint, stored))
        except Exception:
            # The caller still gets its answer; the claim runs out with its lease.
            log.exception("could not store an idempotent response")

    async def _release(self, client_id: str, key: str, fingerprint: str) -> None:
        try:
            await asyncio.shield(self.store.release(client_id, key, fingerprint))
        except Exception:
            log.exception("could not release an idempotency claim")
