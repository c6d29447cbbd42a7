"""Stored secrets: keyed SHA-256, constant-time comparison, replaceable server keys."""

from gateway.domain.clients import new_client_id, new_client_secret
from gateway.domain.hashing import HashedSecret, SecretHasher, key_id

KEY = b"server-key-1"


def test_a_secret_verifies_against_its_hash_and_nothing_else() -> None:
    hasher = SecretHasher(KEY)
    secret = new_client_secret()
    stored = hasher.hash(secret)
    assert hasher.verify(secret, stored)
    assert not hasher.verify(secret + "x", stored)
    assert not hasher.verify("", stored)
    assert secret not in stored.digest


def test_the_hash_depends_on_the_server_key() -> None:
    secret = new_client_secret()
    assert SecretHasher(KEY).hash(secret).digest != SecretHasher(b"other-key").hash(secret).digest
    assert not SecretHasher(b"other-key").verify(secret, SecretHasher(KEY).hash(secret))


def test_hashes_of_a_previous_key_verify_and_ask_for_a_rehash() -> None:
    secret = new_client_secret()
    old = SecretHasher(KEY).hash(secret)
    hasher = SecretHasher(b"server-key-2", [KEY])
    assert hasher.verify(secret, old)
    assert hasher.needs_rehash(old)
    fresh = hasher.hash(secret)
    assert fresh.key_id == key_id(b"server-key-2")
    assert not hasher.needs_rehash(fresh)


def test_a_hash_made_with_an_unknown_key_never_verifies() -> None:
    secret = new_client_secret()
    stored = HashedSecret("unknown", SecretHasher(KEY).hash(secret).digest)
    assert not SecretHasher(KEY).verify(secret, stored)


def test_secrets_are_long_random_and_url_safe() -> None:
    secrets = {new_client_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(len(secret) >= 43 and secret.replace("-", "").replace("_", "").isalnum() for secret in secrets)
    assert len(new_client_id()) == 32


def test_the_repr_of_a_hash_shows_no_digest() -> None:
    stored = SecretHasher(KEY).hash("s3cret")
    assert stored.digest not in repr(stored)
