"""ItemSubstituted (inventory.stock.v1): the original line's quantity is cancelled down to the
revised one and each substitute becomes a line of its own, cross-referenced to the original.

Inventory already moved the reservation, so nothing is published (a FulfillmentOrderCancelled
would release the substitutes' stock a second time). Orders that are not ours are ignored.
"""

from decimal import Decimal

import asyncpg

from fulfillment.adapters import repository
from fulfillment.adapters.repository import NewLine
from fulfillment.domain.lines import Line
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import ItemSubstituted


async def handle_item_substituted(
    conn: asyncpg.Connection, event: ItemSubstituted, meta: CloudEventMeta
) -> None:
    key = (event.customer_order_no, event.fulfill_order_no)
    order = (await repository.load_orders(conn, [key], lock=True)).get(key)
    if order is None:
        return
    original = next(
        (
            line
            for line in order.lines
            if line.item == event.item
            and (event.item_line_no is None or line.item_line_no == event.item_line_no)
        ),
        None,
    )
    if original is None:
        return
    cancelled = min(event.cancelled_quantity, original.open)
    if cancelled > 0:
        await repository.add_cancelled(conn, order, [(original.key, cancelled)])
    substitutes = [
        NewLine(
            Line(
                item=substitute.substitute_item,
                item_line_no=original.item_line_no,
                ordered=substitute.substitute_item_quantity,
                confirmed=substitute.substitute_item_quantity,
                uom=substitute.substitute_item_quantity_uom,
                cancelled=Decimal(0),
            ),
            substitute_for=original.key,
        )
        for substitute in event.substitutes
        if substitute.substitute_item_quantity > 0
    ]
    await repository.insert_lines(conn, order, substitutes)
