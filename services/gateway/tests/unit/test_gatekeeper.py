"""Admission limits on failed logins: per presented client_id and per source address."""

from datetime import UTC, datetime

import pytest

from gateway.domain.clients import ApiClient, Role
from gateway.domain.hashing import SecretHasher
from gateway.domain.token_bucket import RateLimiter
from gateway.service_layer.access import Gatekeeper
from gateway.service_layer.authentication import Authenticator
from shared_http.errors import ApiError

HASHER = SecretHasher(b"key")
SECRET = "the-right-secret"


class Store:
    def __init__(self, *clients: ApiClient) -> None:
        self.clients = {client.client_id: client for client in clients}

    async def get(self, client_id: str) -> ApiClient | None:
        return self.clients.get(client_id)

    async def rehash(self, client_id: str, old: object, new: object) -> None:
        raise AssertionError("no rehash expected")


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def gatekeeper(clock: Clock, *, per_source_burst: int = 3, per_source_rate: float = 1.0) -> Gatekeeper:
    roles = frozenset({Role.DISTRIBUTOR})
    client = ApiClient("known", "known", "sp", "sandbox", roles, HASHER.hash(SECRET), datetime.now(UTC))
    authenticator = Authenticator(Store(client), HASHER, ttl_seconds=10, clock=clock)
    return Gatekeeper(
        authenticator,
        RateLimiter(0, 1, clock=clock),
        RateLimiter(0.2, 10, clock=clock),
        RateLimiter(per_source_rate, per_source_burst, clock=clock),
    )


async def status_of(gate: Gatekeeper, client_id: str | None, secret: str | None, source: str | None) -> int:
    try:
        await gate.admit(client_id, secret, Role.DISTRIBUTOR, source)
    except ApiError as error:
        return error.status
    return 200


async def test_guesses_spread_over_many_client_ids_are_limited_per_source_address() -> None:
    gate = gatekeeper(Clock())
    statuses = [await status_of(gate, f"guess-{n}", "wrong", "10.0.0.1") for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


async def test_a_blocked_source_is_refused_before_any_credential_is_checked() -> None:
    gate = gatekeeper(Clock())
    for n in range(3):
        await status_of(gate, f"guess-{n}", "wrong", "10.0.0.1")
    with pytest.raises(ApiError) as refused:
        await gate.admit("known", SECRET, Role.DISTRIBUTOR, "10.0.0.1")
    assert (refused.value.status, refused.value.code) == (429, "RATE_LIMITED")
    assert refused.value.headers["Retry-After"] == "1"
    assert "address" in refused.value.message


async def test_other_sources_and_a_refilled_bucket_get_in_again() -> None:
    clock = Clock()
    gate = gatekeeper(clock)
    for n in range(3):
        await status_of(gate, f"guess-{n}", "wrong", "10.0.0.1")
    assert await status_of(gate, "known", SECRET, "10.0.0.2") == 200
    clock.now += 1.0
    assert await status_of(gate, "known", SECRET, "10.0.0.1") == 200


async def test_missing_credentials_are_not_counted_as_guesses() -> None:
    gate = gatekeeper(Clock())
    statuses = [await status_of(gate, None, None, "10.0.0.1") for _ in range(5)]
    assert statuses == [401] * 5
    assert await status_of(gate, "known", SECRET, "10.0.0.1") == 200


async def test_successful_logins_do_not_use_up_the_source_budget() -> None:
    gate = gatekeeper(Clock())
    assert [await status_of(gate, "known", SECRET, "10.0.0.1") for _ in range(10)] == [200] * 10


async def test_the_source_limit_can_be_turned_off() -> None:
    gate = gatekeeper(Clock(), per_source_rate=0)
    statuses = [await status_of(gate, f"guess-{n}", "wrong", "10.0.0.1") for n in range(20)]
    assert statuses == [401] * 20


async def test_an_unknown_source_address_is_limited_per_client_id_only() -> None:
    gate = gatekeeper(Clock())
    statuses = [await status_of(gate, f"guess-{n}", "wrong", None) for n in range(6)]
    assert statuses == [401] * 6
