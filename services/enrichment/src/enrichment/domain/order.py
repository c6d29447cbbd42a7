"""The order aggregate: its status, its sub-orders and the rules that change them."""

from collections.abc import Mapping
from dataclasses import dataclass

from enrichment.domain.errors import BusinessRuleError, OrderNotOpenError
from enrichment.domain.status import (
    FULFILLED_STATUSES,
    ConfirmationType,
    OrderStatus,
    StatusChange,
    status_for_confirmations,
)

CREATED = StatusChange(None, "DRAFT", "Order created")


@dataclass
class Order:
    order_id: str
    sp_id: str
    environment: str
    status: OrderStatus
    quote_id: str
    cdg_id: str | None
    sub_order_ids: tuple[str, ...]

    def ensure_open(self) -> None:
        """Only a DRAFT order can be enriched, grouped or submitted."""
        if self.status != "DRAFT":
            raise OrderNotOpenError(self.order_id, self.status)

    def check_quote(self, quote_id: str) -> None:
        if quote_id != self.quote_id:
            raise BusinessRuleError(
                "QUOTE_MISMATCH", f"quoteId {quote_id} is not the quote of order {self.order_id}."
            )

    def join_cdg(self, cdg_id: str) -> bool:
        """Put the order in the group; False when it already was. An order belongs to one group."""
        self.ensure_open()
        if self.cdg_id == cdg_id:
            return False
        if self.cdg_id is not None:
            raise BusinessRuleError(
                "ORDER_IN_OTHER_CDG", f"Order {self.order_id} already belongs to CDG {self.cdg_id}."
            )
        self.cdg_id = cdg_id
        return True

    def submit(self) -> StatusChange:
        self.ensure_open()
        return self._move_to("SUBMITTED", "Order submitted")

    def record_fulfillment(self, outcomes: Mapping[str, ConfirmationType]) -> StatusChange | None:
        """The status the sub-orders' fulfillment outcomes mean, once every sub-order has one.

        Outcomes of an order that was never submitted (or was cancelled) do not move it.
        """
        if self.status not in FULFILLED_STATUSES:
            return None
        if any(sub_order_id not in outcomes for sub_order_id in self.sub_order_ids):
            return None
        confirmations = [outcomes[sub_order_id] for sub_order_id in self.sub_order_ids]
        target = status_for_confirmations(confirmations)
        if target == self.status:
            return None
        return self._move_to(target, f"Fulfillment outcome: {', '.join(confirmations)}")

    def _move_to(self, target: OrderStatus, reason: str) -> StatusChange:
        change = StatusChange(self.status, target, reason)
        self.status = target
        return change
