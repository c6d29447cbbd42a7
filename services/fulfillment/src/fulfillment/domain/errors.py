"""Refusals of the fulfillment rules, independent of HTTP and Kafka."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One field of a request that breaks a rule: `field` is its path, e.g. `items[0].details[1].item`."""

    field: str
    message: str
    value: Any = None


class InvalidRequestError(Exception):
    """The request breaks the specification's field rules or names unknown foundation data."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{problem.field}: {problem.message}" for problem in problems))
        self.problems = list(problems)


class BusinessRuleError(Exception):
    """The request is well formed but the current state refuses it (e.g. cancelling more than is open)."""

    def __init__(self, code: str, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.code = code
        self.errors = list(errors)


class OmsDisabledError(BusinessRuleError):
    """OMS_IND = N: this installation does not take customer orders from an OMS."""

    def __init__(self) -> None:
        super().__init__(
            "OMS_DISABLED", ["Customer orders from an OMS are not enabled (system option OMS_IND = N)"]
        )
