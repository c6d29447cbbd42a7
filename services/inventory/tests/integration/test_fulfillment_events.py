"""Fulfillment's events confirm the holds of a fulfillment order (X releases them) and its
cancellations release what they cancel."""

from __future__ import annotations

from decimal import Decimal

from shared_contracts.events import FulfillmentOrderCancelled, FulfillmentOrderCreated
from shared_contracts.events.fulfillment import CancelledLine, ConfirmedLine
from shared_messaging.testing import wait_until
from shared_testing.services import publish_event

from .kafka_helpers import header, value
from .reservations_api import reserve_line


def confirmed(item: str, quantity: int, line: int) -> ConfirmedLine:
    return ConfirmedLine(
        item=item, confirmed_quantity=Decimal(quantity), confirmed_quantity_uom="EA", item_line_no=line
    )


async def statuses(reservations, reservation_id: str) -> list[tuple[str, str, int]]:
    lines = (await reservations.get(reservation_id))["lines"]
    return [(line["item"], line["status"], line["quantity"]) for line in lines]


async def test_fulfillment_order_created_confirms_the_holds_and_trims_them(
    world, reservations, kafka_bootstrap
):
    (shop,) = await world.stores("shop")
    drill, bulb = await world.items("drill", "bulb")
    await world.stock(drill, shop, 10)
    await world.stock(bulb, shop, 10)
    order = world.order("c")
    held = await reservations.reserve(
        order, "F1", reserve_line(drill, shop, 4, itemLineNo=1), reserve_line(bulb, shop, 3, itemLineNo=2)
    )

    await publish_event(
        kafka_bootstrap,
        FulfillmentOrderCreated(
            customer_order_no=order,
            fulfill_order_no="F1",
            reservation_id=held["reservationId"],
            confirmation_type="R",
            fulfill_location=shop,
            details=[confirmed(drill, 4, 1), confirmed(bulb, 2, 2)],
        ),
    )

    async def settled() -> bool:
        return await statuses(reservations, held["reservationId"]) == [
            (drill, "CONFIRMED", 4),
            (bulb, "CONFIRMED", 2),
        ]

    await wait_until(settled, seconds=20, message="the holds confirmed")
    assert (await world.buckets(bulb, shop)).customer_reserved == 2


async def test_a_confirmation_x_releases_and_a_cancellation_releases_what_it_cancels(
    world, reservations, kafka_bootstrap, stock_events
):
    (shop,) = await world.stores("shop")
    (drill,) = await world.items("drill")
    await world.stock(drill, shop, 10)
    order = world.order("x")
    nothing = await reservations.reserve(order, "F1", reserve_line(drill, shop, 2, itemLineNo=1))
    kept = await reservations.reserve(order, "F2", reserve_line(drill, shop, 5, itemLineNo=1))
    await reservations.confirm(kept["reservationId"])

    await publish_event(
        kafka_bootstrap,
        FulfillmentOrderCreated(
            customer_order_no=order,
            fulfill_order_no="F1",
            confirmation_type="X",
            fulfill_location=shop,
            details=[],
        ),
    )
    await publish_event(
        kafka_bootstrap,
        FulfillmentOrderCancelled(
            customer_order_no=order,
            fulfill_order_no="F2",
            details=[CancelledLine(item=drill, cancelled_quantity=Decimal(3), item_line_no=1)],
        ),
        transaction_id="tx-cancel",
    )

    async def settled() -> bool:
        return await statuses(reservations, nothing["reservationId"]) == [(drill, "RELEASED", 0)] and (
            await statuses(reservations, kept["reservationId"]) == [(drill, "CONFIRMED", 2)]
        )

    await wait_until(settled, seconds=20, message="the holds released")
    assert (await world.buckets(drill, shop)).customer_reserved == 2
    released = await stock_events.wait_for(
        lambda r: header(r, "ce_type") == "InventoryReleased" and value(r)["customerOrderNo"] == order,
        count=2,
    )
    reasons = {value(record)["fulfillOrderNo"]: value(record)["reason"] for record in released}
    assert reasons == {"F1": "NOT_CONFIRMED", "F2": "CANCELLED"}
    (cancel,) = [record for record in released if value(record)["fulfillOrderNo"] == "F2"]
    assert header(cancel, "x-transaction-id") == "tx-cancel"


async def test_a_confirmation_after_the_expiry_holds_the_lines_again_if_the_stock_is_there(
    world, reservations, inventory, kafka_bootstrap
):
    (shop,) = await world.stores("shop")
    (drill,) = await world.items("drill")
    await world.stock(drill, shop, 10)
    order = world.order("late")
    held = await reservations.reserve(order, "F1", reserve_line(drill, shop, 4, itemLineNo=1))
    await inventory.runtime.pool.execute(
        "UPDATE reservation_lines SET expires_at = now() - interval '1 second' "
        "WHERE reservation_id = $1::uuid",
        held["reservationId"],
    )

    async def expired() -> bool:
        return await statuses(reservations, held["reservationId"]) == [(drill, "EXPIRED", 0)]

    await wait_until(expired, seconds=20, message="the hold expired")
    await publish_event(
        kafka_bootstrap,
        FulfillmentOrderCreated(
            customer_order_no=order,
            fulfill_order_no="F1",
            reservation_id=held["reservationId"],
            confirmation_type="R",
            fulfill_location=shop,
            details=[confirmed(drill, 4, 1)],
        ),
    )

    async def confirmed_again() -> bool:
        return await statuses(reservations, held["reservationId"]) == [(drill, "CONFIRMED", 4)]

    await wait_until(confirmed_again, seconds=20, message="the late confirmation held the line again")
    assert (await world.buckets(drill, shop)).customer_reserved == 4
