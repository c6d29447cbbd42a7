"""What a duplicate request gets, and which requests and answers count."""

from datetime import UTC, datetime

from gateway.domain.idempotency import (
    Decision,
    IdempotencyRecord,
    IdempotencyStatus,
    StoredResponse,
    applies_to,
    decide,
    is_final,
    valid_key,
)


def record(status: IdempotencyStatus, fingerprint: str = "f1") -> IdempotencyRecord:
    response = StoredResponse(201, b"{}") if status is IdempotencyStatus.DONE else None
    return IdempotencyRecord("c", "k", fingerprint, status, response, datetime.now(UTC))


def test_same_fingerprint_replays_a_done_record_and_waits_for_a_running_one() -> None:
    assert decide(record(IdempotencyStatus.DONE), "f1") is Decision.REPLAY
    assert decide(record(IdempotencyStatus.IN_PROGRESS), "f1") is Decision.WAIT


def test_another_fingerprint_is_a_conflict_whatever_the_status() -> None:
    assert decide(record(IdempotencyStatus.DONE), "f2") is Decision.CONFLICT
    assert decide(record(IdempotencyStatus.IN_PROGRESS), "f2") is Decision.CONFLICT


def test_only_answers_below_500_are_stored() -> None:
    assert is_final(201)
    assert is_final(409)
    assert not is_final(500)
    assert not is_final(503)


def test_only_mutating_methods_are_idempotent() -> None:
    assert all(applies_to(method) for method in ("POST", "put", "DELETE", "PATCH"))
    assert not applies_to("GET")


def test_keys_are_1_to_255_visible_ascii_characters() -> None:
    assert valid_key("tx-1")
    assert valid_key("x" * 255)
    assert not valid_key("")
    assert not valid_key("x" * 256)
    assert not valid_key("has space")
    assert not valid_key("naïve")
