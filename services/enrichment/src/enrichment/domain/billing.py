"""Billing enrichment rules: billed items belong to the sub-order, once each; invoice numbers."""

import uuid
from collections.abc import Collection, Sequence

from enrichment.domain.errors import BusinessRuleError, FieldProblem, InvalidFieldsError


def check_billed_items(sub_order_id: str, item_ids: Collection[str], billed_ids: Sequence[str]) -> None:
    repeated = [
        FieldProblem(f"orderedItems[{index}].orderItemId", "repeats an earlier line", billed)
        for index, billed in enumerate(billed_ids)
        if billed in billed_ids[:index]
    ]
    if repeated:
        raise InvalidFieldsError(repeated)
    unknown = [billed for billed in billed_ids if billed not in item_ids]
    if unknown:
        raise BusinessRuleError(
            "UNKNOWN_ORDER_ITEM",
            f"orderItemId {', '.join(unknown)} is not an item of sub-order {sub_order_id}.",
        )


def new_invoice_number() -> str:
    """An invoice number for a billing enrichment that gave none: `INV-` and 12 hex digits."""
    return f"INV-{uuid.uuid4().hex[:12].upper()}"
