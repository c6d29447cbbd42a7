"""What can go wrong in the enrichment domain, independent of how it is reported (HTTP, logs)."""

from collections.abc import Sequence
from dataclasses import dataclass


class DomainError(Exception):
    """A request that the rules refuse."""


class NotFoundError(DomainError):
    """An order, sub-order, item or CDG that does not exist for the caller (or at all)."""

    def __init__(self, kind: str, identifier: str) -> None:
        super().__init__(f"{kind} {identifier} not found")
        self.kind = kind
        self.identifier = identifier


class OrderNotOpenError(DomainError):
    """The order left DRAFT (submitted or later): it can no longer be enriched, grouped or submitted."""

    def __init__(self, order_id: str, status: str) -> None:
        super().__init__(f"Order {order_id} is {status}; it can no longer be changed.")
        self.order_id = order_id
        self.status = status


class TransactionIdReusedError(DomainError):
    """An `x-transaction-id` already applied to another request of the same client."""

    def __init__(self, transaction_id: str) -> None:
        super().__init__(
            f"x-transaction-id '{transaction_id[:64]}' was already used with a different request; "
            "use a new one"
        )


class StepIncompleteError(DomainError):
    """Submit found a step that is not complete on some sub-order."""

    def __init__(self, message: str, sub_order_ids: Sequence[str]) -> None:
        super().__init__(message)
        self.sub_order_ids = list(sub_order_ids)


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    value: object


class InvalidFieldsError(DomainError):
    """Values that are well-formed but break a rule (e.g. a requested date in the past)."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__("; ".join(f"{problem.field} {problem.message}" for problem in problems))
        self.problems = list(problems)


class BusinessRuleError(DomainError):
    """A request that contradicts the order (e.g. another quote id); `code` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SandboxTestDataError(DomainError):
    """Sandbox only: the site address is not among the mocked test addresses."""
