"""Authentication with a short cache: few database reads, rotation at once, disabling within the TTL."""

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest

from gateway.domain.clients import ApiClient, Role
from gateway.domain.hashing import HashedSecret, SecretHasher
from gateway.service_layer.authentication import (
    AuthenticationFailed,
    Authenticator,
    CredentialStoreUnavailable,
)

HASHER = SecretHasher(b"key")


class Store:
    def __init__(self) -> None:
        self.clients: dict[str, ApiClient] = {}
        self.reads = 0
        self.fail = False
        self.rehashed: list[tuple[str, HashedSecret]] = []

    async def get(self, client_id: str) -> ApiClient | None:
        self.reads += 1
        await asyncio.sleep(0)
        if self.fail:
            raise ConnectionError("database down")
        return self.clients.get(client_id)

    async def rehash(self, client_id: str, old: HashedSecret, new: HashedSecret) -> None:
        self.rehashed.append((client_id, new))
        self.clients[client_id] = dataclasses.replace(self.clients[client_id], secret=new)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def add(store: Store, secret: str, hasher: SecretHasher = HASHER, **changes: object) -> ApiClient:
    client = ApiClient(
        "c1", "name", "sp", "sandbox", frozenset({Role.DISTRIBUTOR}), hasher.hash(secret), datetime.now(UTC)
    )
    client = dataclasses.replace(client, **changes)  # type: ignore[arg-type]
    store.clients[client.client_id] = client
    return client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def authenticator(store: Store, clock: Clock) -> Authenticator:
    return Authenticator(store, HASHER, ttl_seconds=10, clock=clock)


async def test_a_verified_client_is_served_from_the_cache(store: Store, authenticator: Authenticator) -> None:
    add(store, "s1")
    for _ in range(5):
        assert (await authenticator.authenticate("c1", "s1")).client_id == "c1"
    assert store.reads == 1


async def test_concurrent_first_requests_share_one_read(store: Store, authenticator: Authenticator) -> None:
    add(store, "s1")
    await asyncio.gather(*(authenticator.authenticate("c1", "s1") for _ in range(20)))
    assert store.reads == 1


@pytest.mark.parametrize(
    ("client_id", "secret", "reason"),
    [
        (None, "s1", "missing credentials"),
        ("c1", None, "missing credentials"),
        ("nobody", "s1", "unknown client"),
    ],
)
async def test_missing_or_unknown_credentials_fail(
    store: Store, authenticator: Authenticator, client_id: str | None, secret: str | None, reason: str
) -> None:
    add(store, "s1")
    with pytest.raises(AuthenticationFailed) as failure:
        await authenticator.authenticate(client_id, secret)
    assert failure.value.reason == reason
    assert "s1" not in str(failure.value)


async def test_a_wrong_secret_fails(store: Store, authenticator: Authenticator) -> None:
    add(store, "s1")
    with pytest.raises(AuthenticationFailed, match="wrong secret"):
        await authenticator.authenticate("c1", "s2")


async def test_a_rotated_secret_works_at_once_and_the_old_one_until_the_ttl(
    store: Store, authenticator: Authenticator, clock: Clock
) -> None:
    add(store, "old")
    await authenticator.authenticate("c1", "old")
    add(store, "new")
    clock.now += 1.5
    assert (await authenticator.authenticate("c1", "new")).client_id == "c1"
    clock.now += 11
    with pytest.raises(AuthenticationFailed):
        await authenticator.authenticate("c1", "old")


async def test_disabling_takes_effect_when_the_cache_entry_expires(
    store: Store, authenticator: Authenticator, clock: Clock
) -> None:
    add(store, "s1")
    await authenticator.authenticate("c1", "s1")
    add(store, "s1", disabled_at=datetime.now(UTC))
    await authenticator.authenticate("c1", "s1")
    clock.now += 10.5
    with pytest.raises(AuthenticationFailed, match="disabled client"):
        await authenticator.authenticate("c1", "s1")


async def test_a_hash_of_a_previous_key_is_replaced_on_success(store: Store, clock: Clock) -> None:
    add(store, "s1", hasher=SecretHasher(b"old-key"))
    authenticator = Authenticator(store, SecretHasher(b"key", [b"old-key"]), ttl_seconds=10, clock=clock)
    await authenticator.authenticate("c1", "s1")
    assert [client_id for client_id, _ in store.rehashed] == ["c1"]
    assert store.clients["c1"].secret.key_id == HASHER.current_key_id
    await authenticator.authenticate("c1", "s1")


async def test_an_unreadable_store_is_unavailable_not_unauthorized(
    store: Store, authenticator: Authenticator
) -> None:
    store.fail = True
    with pytest.raises(CredentialStoreUnavailable):
        await authenticator.authenticate("c1", "s1")
