"""Who is calling: `client_id` + `client_secret` checked against the stored hash, with a short cache.

Verified clients are kept in process memory for `ttl` seconds, so most requests cost no database
round trip. Disabling a client therefore takes effect within `ttl` seconds on every replica. A new
secret (rotation) works at once: a secret that does not match the cached entry is checked again
against a fresh read (the failed-login limit per client_id bounds how often that happens, and
concurrent reads of one client are shared); the old secret keeps working until the entry expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from gateway.domain.clients import ApiClient
from gateway.domain.hashing import HashedSecret, SecretHasher

log = logging.getLogger(__name__)

MAX_CLIENT_ID_LENGTH = 128


class ClientStore(Protocol):
    async def get(self, client_id: str) -> ApiClient | None: ...

    async def rehash(self, client_id: str, old: HashedSecret, new: HashedSecret) -> None: ...


class AuthenticationFailed(Exception):
    """Missing, unknown, wrong or disabled credentials; `reason` is for the log, never the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CredentialStoreUnavailable(Exception):
    """The client table could not be read."""


@dataclass(frozen=True)
class _Entry:
    client: ApiClient | None
    loaded_at: float


class Authenticator:
    def __init__(
        self,
        store: ClientStore,
        hasher: SecretHasher,
        *,
        ttl_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.hasher = hasher
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._cache: OrderedDict[str, _Entry] = OrderedDict()
        self._loading: dict[str, asyncio.Future[_Entry]] = {}

    async def authenticate(self, client_id: str | None, secret: str | None) -> ApiClient:
        if not client_id or not secret:
            raise AuthenticationFailed("missing credentials")
        if len(client_id) > MAX_CLIENT_ID_LENGTH:
            raise AuthenticationFailed("malformed client_id")
        entry = self._fresh(client_id)
        if entry is None or not self._matches(entry, secret):
            entry = await self._load(client_id)
        if entry.client is None:
            raise AuthenticationFailed("unknown client")
        if not self._matches(entry, secret):
            raise AuthenticationFailed("wrong secret")
        if entry.client.disabled:
            raise AuthenticationFailed("disabled client")
        if self.hasher.needs_rehash(entry.client.secret):
            await self._rehash(entry.client, secret)
        return entry.client

    def forget(self, client_id: str) -> None:
        self._cache.pop(client_id, None)

    def _matches(self, entry: _Entry, secret: str) -> bool:
        return entry.client is not None and self.hasher.verify(secret, entry.client.secret)

    def _fresh(self, client_id: str) -> _Entry | None:
        entry = self._cache.get(client_id)
        if entry is None or self.clock() - entry.loaded_at > self.ttl:
            return None
        self._cache.move_to_end(client_id)
        return entry

    async def _load(self, client_id: str) -> _Entry:
        """One database read per client at a time; concurrent callers share it."""
        loading = self._loading.get(client_id)
        if loading is None:
            loading = asyncio.ensure_future(self._read(client_id))
            self._loading[client_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(client_id, None))
        return await asyncio.shield(loading)

    async def _read(self, client_id: str) -> _Entry:
        try:
            client = await self.store.get(client_id)
        except Exception as error:
            log.exception("the client table could not be read")
            raise CredentialStoreUnavailable(type(error).__name__) from error
        entry = _Entry(client, self.clock())
        self._cache[client_id] = entry
        self._cache.move_to_end(client_id)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return entry

    async def _rehash(self, client: ApiClient, secret: str) -> None:
        try:
            await self.store.rehash(client.client_id, client.secret, self.hasher.hash(secret))
        except Exception:
            log.warning("could not rehash a client secret", extra={"client_id": client.client_id})
            return
        self.forget(client.client_id)
