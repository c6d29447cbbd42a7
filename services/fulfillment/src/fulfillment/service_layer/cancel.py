"""Cancel Fulfillment Order: reduce open quantities, all-or-nothing over the collection, and
publish FulfillmentOrderCancelled (inventory releases the cancelled holds from it)."""

from decimal import Decimal

from fulfillment.adapters import repository
from fulfillment.domain.cancellation import CancelRequest, plan_cancellation
from fulfillment.domain.errors import BusinessRuleError, OmsDisabledError
from fulfillment.domain.lines import Line, LineKey
from fulfillment.service_layer.events import cancelled_event
from fulfillment.service_layer.ports import Database
from fulfillment.service_layer.rules import Rules
from shared_contracts.merchandising import FulfillmentOrderCancelRequest
from shared_messaging import add_event

CANCEL_REFUSED = "CANCEL_REFUSED"


def _after(lines: list[Line], taken: dict[LineKey, Decimal]) -> list[Line]:
    return [
        Line(
            line.item,
            line.item_line_no,
            line.ordered,
            line.confirmed,
            line.uom,
            line.cancelled + taken.get(line.key, Decimal(0)),
            line.reference_item,
        )
        for line in lines
    ]


async def cancel_fulfillment_orders(
    db: Database, request: FulfillmentOrderCancelRequest, rules: Rules, *, transaction_id: str | None
) -> None:
    if not rules.oms_enabled:
        raise OmsDisabledError()
    entries = request.items or []
    if not entries:
        return
    async with db.writing() as conn:
        keys = list(dict.fromkeys((entry.customer_order_no, entry.fulfill_order_no) for entry in entries))
        orders = await repository.load_orders(conn, keys, lock=True)
        errors: list[str] = []
        changes: list[tuple[repository.StoredOrder, list[tuple[LineKey, Decimal]]]] = []
        for index, entry in enumerate(entries):
            where = f"items[{index}]"
            order = orders.get((entry.customer_order_no, entry.fulfill_order_no))
            if order is None:
                errors.append(
                    f"{where}: fulfillment order {entry.customer_order_no} / {entry.fulfill_order_no} "
                    "does not exist"
                )
                continue
            if entry.fulfill_location != order.fulfill_location:
                errors.append(
                    f"{where}: fulfillLocation {entry.fulfill_location} is not the order's "
                    f"({order.fulfill_location})"
                )
                continue
            requests = [
                CancelRequest(detail.item, detail.item_line_no, detail.cancel_quantity_in_suom)
                for detail in entry.details
            ]
            if not requests:
                errors.append(f"{where}.details: must have at least one entry")
                continue
            cancellations, problems = plan_cancellation(order.lines, requests, where)
            errors += problems
            taken: dict[LineKey, Decimal] = {}
            for cancellation in cancellations:
                taken[cancellation.key] = taken.get(cancellation.key, Decimal(0)) + cancellation.quantity
            order.lines = _after(order.lines, taken)
            changes.append((order, list(taken.items())))
        if errors:
            raise BusinessRuleError(CANCEL_REFUSED, errors)
        for order, quantities in changes:
            if quantities:
                await repository.add_cancelled(conn, order, quantities)
                await add_event(conn, cancelled_event(order, quantities), transaction_id=transaction_id)
