"""Idempotent requests (`x-transaction-id`): what is stored, and what a duplicate gets.

One record per (client, key). The first request claims it (`in_progress`), reaches the upstream and
stores the answer (`done`); a duplicate with the same fingerprint gets that answer again, one with
another fingerprint is refused. Answers of 5xx or no answer at all are not stored: the claim is
released so that a retry can reach the upstream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
"""1 to 255 visible ASCII characters."""


class IdempotencyStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IdempotencyRecord:
    client_id: str
    key: str
    fingerprint: str
    status: IdempotencyStatus
    response: StoredResponse | None
    expires_at: datetime


class Decision(StrEnum):
    REPLAY = "replay"
    CONFLICT = "conflict"
    WAIT = "wait"


def decide(record: IdempotencyRecord, fingerprint: str) -> Decision:
    """What a request gets when someone else already holds its key."""
    if record.fingerprint != fingerprint:
        return Decision.CONFLICT
    if record.status is IdempotencyStatus.DONE and record.response is not None:
        return Decision.REPLAY
    return Decision.WAIT


def is_final(status: int) -> bool:
    """Whether an upstream answer is stored for replay (anything below 500)."""
    return status < 500


def applies_to(method: str) -> bool:
    return method.upper() in MUTATING_METHODS


def valid_key(key: str) -> bool:
    return KEY_PATTERN.fullmatch(key) is not None
