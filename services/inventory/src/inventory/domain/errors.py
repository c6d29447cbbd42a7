"""What the rules refuse, independent of how the refusal reaches the caller (HTTP or Kafka)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    field: str
    """Path of the field in the request, e.g. `collectionSize` or `items[0].quantity`."""
    message: str
    value: Any = None


class InvalidRequestError(Exception):
    """The request does not fit rules a schema cannot express (e.g. `collectionSize`)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = list(problems)


class BusinessRuleError(Exception):
    """The request is well formed but breaks business rules; `errors` names each breach."""

    def __init__(self, errors: Sequence[str], *, code: str = "BUSINESS_RULE_VIOLATION") -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)
        self.code = code


class NotFoundError(Exception):
    """An identifier in the path names nothing."""


class WritesPausedError(TimeoutError):
    """Inventory batches run (the nightly batch window): stock may not change until `ends_at`.

    A `TimeoutError` on purpose: for a Kafka consumer it is transient (retried, never dead-lettered),
    which is exactly what a message arriving in the window needs.
    """

    def __init__(self, reason: str, ends_at: datetime | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ends_at = ends_at


class RuleBrokenError(ValueError):
    """One rule broken by one entry of a collection; collected into a `BusinessRuleError`."""


def collect(errors: list[str]) -> None:
    """Raise the collected business errors, if any (all-or-nothing per request)."""
    if errors:
        raise BusinessRuleError(errors)
