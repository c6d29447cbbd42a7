"""The idempotency guard against an in-memory store: claim, wait (bounded), replay, release."""

import asyncio
import time
from datetime import UTC, datetime

import pytest

from gateway.domain.idempotency import IdempotencyRecord, IdempotencyStatus, StoredResponse
from gateway.service_layer.forwarding import UpstreamResponse
from gateway.service_layer.idempotency import IdempotencyGuard
from shared_http.errors import ApiError


class MemoryStore:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], IdempotencyRecord] = {}
        self.released = 0

    async def claim(
        self, client_id: str, key: str, fingerprint: str, *, lease_seconds: float, ttl_seconds: int
    ) -> bool:
        if (client_id, key) in self.records:
            return False
        self.records[(client_id, key)] = IdempotencyRecord(
            client_id, key, fingerprint, IdempotencyStatus.IN_PROGRESS, None, datetime.now(UTC)
        )
        return True

    async def get(self, client_id: str, key: str) -> IdempotencyRecord | None:
        return self.records.get((client_id, key))

    async def complete(self, client_id: str, key: str, fingerprint: str, response: StoredResponse) -> None:
        record = self.records[(client_id, key)]
        self.records[(client_id, key)] = IdempotencyRecord(
            client_id, key, fingerprint, IdempotencyStatus.DONE, response, record.expires_at
        )

    async def release(self, client_id: str, key: str, fingerprint: str) -> None:
        self.released += 1
        self.records.pop((client_id, key), None)


def guard(store: MemoryStore, wait_seconds: float = 2.0) -> IdempotencyGuard:
    return IdempotencyGuard(store, ttl_seconds=60, lease_seconds=10, wait_seconds=wait_seconds)


async def answer() -> UpstreamResponse:
    return UpstreamResponse(201, b'{"id": 1}', {"content-type": "application/json", "server": "x"})


async def test_the_first_call_runs_and_stores_only_selected_headers() -> None:
    store = MemoryStore()
    outcome = await guard(store).execute("c", "k", "f", answer)
    assert not outcome.replayed
    stored = store.records[("c", "k")].response
    assert stored == StoredResponse(201, b'{"id": 1}', {"content-type": "application/json"})
    again = await guard(store).execute("c", "k", "f", answer)
    assert again.replayed
    assert again.response.body == b'{"id": 1}'


async def test_a_claim_held_elsewhere_is_polled_until_it_is_done() -> None:
    store = MemoryStore()
    await store.claim("c", "k", "f", lease_seconds=10, ttl_seconds=60)  # another replica's claim

    async def finish_elsewhere() -> None:
        await asyncio.sleep(0.05)
        await store.complete("c", "k", "f", StoredResponse(200, b"done"))

    finisher = asyncio.create_task(finish_elsewhere())
    outcome = await guard(store).execute("c", "k", "f", answer)
    await finisher
    assert outcome.replayed
    assert outcome.response.body == b"done"


async def test_waiting_is_bounded_and_answers_409_in_progress() -> None:
    store = MemoryStore()
    await store.claim("c", "k", "f", lease_seconds=10, ttl_seconds=60)
    started = time.monotonic()
    with pytest.raises(ApiError) as refused:
        await guard(store, wait_seconds=0.2).execute("c", "k", "f", answer)
    assert time.monotonic() - started < 1.5
    assert (refused.value.status, refused.value.code) == (409, "IDEMPOTENCY_IN_PROGRESS")
    assert refused.value.headers["Retry-After"] == "1"


async def test_a_failing_call_releases_the_claim_and_a_waiting_duplicate_proceeds() -> None:
    store = MemoryStore()
    calls = 0
    gate = asyncio.Event()

    async def flaky() -> UpstreamResponse:
        nonlocal calls
        calls += 1
        if calls == 1:
            await gate.wait()
            raise ApiError(503, "UNAVAILABLE", "down")
        return await answer()

    shared = guard(store)
    first = asyncio.create_task(shared.execute("c", "k", "f", flaky))
    await asyncio.sleep(0)
    second = asyncio.create_task(shared.execute("c", "k", "f", flaky))
    await asyncio.sleep(0.01)
    gate.set()
    with pytest.raises(ApiError):
        await first
    outcome = await second
    assert not outcome.replayed
    assert outcome.response.status == 201
    assert calls == 2
    assert store.released == 1


async def test_a_5xx_answer_is_not_stored() -> None:
    store = MemoryStore()

    async def broken() -> UpstreamResponse:
        return UpstreamResponse(503, b"{}")

    await guard(store).execute("c", "k", "f", broken)
    assert store.records == {}


async def test_another_fingerprint_is_a_conflict() -> None:
    store = MemoryStore()
    await guard(store).execute("c", "k", "f", answer)
    with pytest.raises(ApiError) as refused:
        await guard(store).execute("c", "k", "other", answer)
    assert refused.value.code == "IDEMPOTENCY_CONFLICT"
