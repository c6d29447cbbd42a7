"""Which step, if any, keeps an order (or a CDG's orders) from being submitted."""

from collections.abc import Sequence
from dataclasses import dataclass

from enrichment.domain.errors import StepIncompleteError
from enrichment.domain.steps import SUBMIT_ORDER, Step, incomplete_step_message


@dataclass(frozen=True)
class SubOrderProgress:
    sub_order_id: str
    completed: frozenset[Step]


@dataclass(frozen=True)
class MissingStep:
    step: Step
    sub_order_ids: tuple[str, ...]

    @property
    def message(self) -> str:
        return incomplete_step_message(self.step)


def first_missing_step(sub_orders: Sequence[SubOrderProgress]) -> MissingStep | None:
    """The earliest step of `SUBMIT_ORDER` that some sub-order has not completed, with those sub-orders.

    Steps are checked one after another over every sub-order: a missing installation anywhere is
    reported before a missing shipping anywhere.
    """
    for step in SUBMIT_ORDER:
        missing = tuple(progress.sub_order_id for progress in sub_orders if step not in progress.completed)
        if missing:
            return MissingStep(step, missing)
    return None


def ensure_submittable(sub_orders: Sequence[SubOrderProgress]) -> None:
    missing = first_missing_step(sub_orders)
    if missing is not None:
        raise StepIncompleteError(missing.message, missing.sub_order_ids)
