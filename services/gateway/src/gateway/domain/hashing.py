"""Stored client secrets: HMAC-SHA256 under a server key, compared in constant time.

Secrets are 256 random bits, so a fast keyed hash is enough (no slow password hash per request);
the key (`GATEWAY_SECRET_KEY`) means a copy of the table alone does not allow checking guesses
offline. Each hash records the id of the key that made it, so the key can be replaced: older keys
stay accepted (`GATEWAY_PREVIOUS_SECRET_KEYS`) and a secret verified with one is rehashed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HashedSecret:
    key_id: str
    digest: str
    """Hex HMAC-SHA256 of the secret."""

    def __repr__(self) -> str:
        return f"HashedSecret(key_id={self.key_id!r})"


def key_id(key: bytes) -> str:
    """A short, non-reversible name for a server key (stored beside each hash)."""
    return hashlib.sha256(b"gateway-secret-key-id:" + key).hexdigest()[:12]


class SecretHasher:
    def __init__(self, current_key: bytes, previous_keys: Iterable[bytes] = ()) -> None:
        if not current_key:
            raise ValueError("the gateway secret key must not be empty")
        self.current_key_id = key_id(current_key)
        self._keys = {key_id(key): key for key in previous_keys if key}
        self._keys[self.current_key_id] = current_key

    def hash(self, secret: str) -> HashedSecret:
        return HashedSecret(self.current_key_id, _digest(self._keys[self.current_key_id], secret))

    def verify(self, secret: str, stored: HashedSecret) -> bool:
        key = self._keys.get(stored.key_id)
        if key is None:
            return False
        return hmac.compare_digest(_digest(key, secret), stored.digest)

    def needs_rehash(self, stored: HashedSecret) -> bool:
        return stored.key_id != self.current_key_id


def _digest(key: bytes, secret: str) -> str:
    return hmac.new(key, secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
