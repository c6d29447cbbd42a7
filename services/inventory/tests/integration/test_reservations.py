"""The internal reservations API: holds with an expiry, idempotent by fulfillment order and line,
confirm, release, the sweeper, and the events."""

from __future__ import annotations

from decimal import Decimal

from shared_messaging.testing import wait_until

from .kafka_helpers import header, value
from .reservations_api import TRACE, reserve_line


async def test_all_or_nothing_holds_every_line_in_full_or_nothing(world, reservations):
    (shop,) = await world.stores("shop")
    drill, bulb = await world.items("drill", "bulb")
    await world.stock(drill, shop, 10)
    await world.stock(bulb, shop, 2)
    order = world.order("a")

    refused = await reservations.reserve(
        order, "F1", reserve_line(drill, shop, 4, itemLineNo=1), reserve_line(bulb, shop, 3, itemLineNo=2)
    )
    held = await reservations.reserve(
        order, "F2", reserve_line(drill, shop, 4, itemLineNo=1), reserve_line(bulb, shop, 2, itemLineNo=2)
    )

    assert refused["outcome"] == "NONE"
    assert [(line["status"], line["reason"], line["availableQuantity"]) for line in refused["lines"]] == [
        ("NOT_RESERVED", "ALL_OR_NOTHING", 10),
        ("NOT_RESERVED", "INSUFFICIENT_INVENTORY", 2),
    ]
    assert held["outcome"] == "FULL"
    assert [(line["status"], line["reservedQuantity"]) for line in held["lines"]] == [
        ("HELD", 4),
        ("HELD", 2),
    ]
    assert held["lines"][0]["expiresAt"]
    assert (await world.buckets(drill, shop)).customer_reserved == 4
    assert (await world.buckets(bulb, shop)).available == 0


async def test_partial_holds_what_is_there(world, reservations):
    (shop,) = await world.stores("shop")
    drill, bulb = await world.items("drill", "bulb")
    await world.stock(drill, shop, 10)
    await world.stock(bulb, shop, 2)

    result = await reservations.reserve(
        world.order("p"),
        "F1",
        reserve_line(drill, shop, 4),
        reserve_line(bulb, shop, 3, itemLineNo=7),
        reserve_line(bulb, shop, 5, itemLineNo=8),
        mode="PARTIAL",
    )

    assert result["outcome"] == "PARTIAL"
    assert [(line["reservedQuantity"], line["status"]) for line in result["lines"]] == [
        (4, "HELD"),
        (2, "HELD"),
        (0, "NOT_RESERVED"),
    ]
    assert result["lines"][2]["reason"] == "INSUFFICIENT_INVENTORY"


async def test_the_same_line_again_changes_nothing_and_a_new_line_is_added(world, reservations):
    (shop,) = await world.stores("shop")
    drill, bulb = await world.items("drill", "bulb")
    await world.stock(drill, shop, 10)
    await world.stock(bulb, shop, 10)
    order = world.order("i")

    first = await reservations.reserve(order, "F1", reserve_line(drill, shop, 3, itemLineNo=1))
    again = await reservations.reserve(
        order, "F1", reserve_line(drill, shop, 9, itemLineNo=1), reserve_line(bulb, shop, 1, itemLineNo=2)
    )

    assert again["reservationId"] == first["reservationId"]
    assert [
        (line["item"], line["reservedQuantity"], line["requestedQuantity"]) for line in again["lines"]
    ] == [
        (drill, 3, 3),
        (bulb, 1, 1),
    ]
    assert (await world.buckets(drill, shop)).customer_reserved == 3


async def test_lines_that_cannot_hold_stock_say_why(world, reservations):
    (shop,) = await world.stores("shop")
    dc, _ = await world.warehouse("dc", {1: True})
    drill, kit, unranged, smart = await world.items("drill", "kit", "unranged", "smart")
    await world.load(items=[{"item": kit, "itemType": "PACK"}])
    await world.stock(drill, shop, 10)
    await world.stock(kit, shop, 10)
    await world.stock(smart, shop, 10, status="I")

    result = await reservations.reserve(
        world.order("w"),
        "F1",
        reserve_line(kit, shop, 1),
        reserve_line(unranged, shop, 1),
        reserve_line(smart, shop, 1),
        reserve_line(drill, dc, 1, itemLineNo=3),
        reserve_line("no-such-item", shop, 1),
        reserve_line(drill, shop, 1, uom="PL"),
        reserve_line(drill, world.location("nowhere"), 1, itemLineNo=2),
        mode="PARTIAL",
    )

    assert [line["reason"] for line in result["lines"]] == [
        "PACK_AT_STORE",
        "NOT_RANGED",
        "INACTIVE",
        "NOT_STOCKHOLDING",
        "UNKNOWN_ITEM",
        "UNKNOWN_UOM",
        "UNKNOWN_LOCATION",
    ]
    assert result["outcome"] == "NONE"


async def test_confirm_release_and_over_release(world, reservations, stock_events):
    (shop,) = await world.stores("shop")
    (drill,) = await world.items("drill")
    await world.stock(drill, shop, 10)
    held = await reservations.reserve(world.order("c"), "F1", reserve_line(drill, shop, 6, itemLineNo=1))
    reservation_id = held["reservationId"]

    confirmed = await reservations.confirm(reservation_id)
    over = await reservations.client.post(
        f"/internal/v1/reservations/{reservation_id}/release",
        json={"lines": [{"item": drill, "itemLineNo": 1, "quantity": 7}]},
        headers=TRACE,
    )
    partly = await reservations.release(
        reservation_id, releaseId="r-1", reason="CANCELLED", lines=[{"item": drill, "quantity": 2}]
    )
    repeated = await reservations.release(
        reservation_id, releaseId="r-1", reason="CANCELLED", lines=[{"item": drill, "quantity": 2}]
    )
    rest = await reservations.release(reservation_id)

    assert [(line["status"], line["expiresAt"]) for line in confirmed["lines"]] == [("CONFIRMED", None)]
    assert over.status_code == 409
    assert over.json()["businessError"] == [
        f"lines[0]: cannot release 7 of item {drill} (itemLineNo 1): only 6 is open"
    ]
    assert [(line["status"], line["quantity"]) for line in partly["lines"]] == [("CONFIRMED", 4)]
    assert repeated == partly
    assert [(line["status"], line["quantity"], line["releasedQuantity"]) for line in rest["lines"]] == [
        ("RELEASED", 0, 6)
    ]
    assert (await world.buckets(drill, shop)).customer_reserved == 0
    events = await stock_events.wait_for(lambda r: value(r).get("reservationId") == reservation_id, count=3)
    assert [
        (header(r, "ce_type"), value(r).get("reason"), value(r)["lines"][0]["quantity"]) for r in events
    ] == [
        ("InventoryReserved", None, 6),
        ("InventoryReleased", "CANCELLED", 2),
        ("InventoryReleased", "RELEASED", 4),
    ]


async def test_unknown_reservations_and_invalid_requests(reservations, world):
    missing = await reservations.client.post(
        "/internal/v1/reservations/00000000-0000-0000-0000-000000000000/confirm", headers=TRACE
    )
    duplicate = await reservations.client.post(
        "/internal/v1/reservations",
        json={
            "customerOrderNo": "c",
            "fulfillOrderNo": "f",
            "lines": [reserve_line("a", 1, 1, itemLineNo=1), reserve_line("a", 1, 2, itemLineNo=1)],
        },
        headers=TRACE,
    )
    negative = await reservations.client.post(
        "/internal/v1/reservations",
        json={"customerOrderNo": "c", "fulfillOrderNo": "f", "lines": [reserve_line("a", 1, -1)]},
        headers=TRACE,
    )
    by_order = await reservations.client.get(
        "/internal/v1/reservations",
        params={"customerOrderNo": world.order("none"), "fulfillOrderNo": "x"},
        headers=TRACE,
    )

    assert missing.status_code == 404, missing.text
    assert duplicate.status_code == 400
    assert duplicate.json()["validationErrors"][0]["field"] == "lines[1]"
    assert negative.status_code == 400
    assert negative.json()["validationErrors"][0]["field"] == "lines[0].quantity"
    assert by_order.status_code == 404


async def test_an_expired_hold_is_released_by_the_sweeper_and_held_again_when_asked_again(
    world, reservations, inventory, stock_events
):
    (shop,) = await world.stores("shop")
    (drill,) = await world.items("drill")
    await world.stock(drill, shop, 10)
    order = world.order("e")
    held = await reservations.reserve(order, "F1", reserve_line(drill, shop, 4, itemLineNo=1), holdSeconds=1)
    reservation_id = held["reservationId"]

    async def expired() -> bool:
        lines = (await reservations.get(reservation_id))["lines"]
        return lines[0]["status"] == "EXPIRED"

    await wait_until(expired, seconds=15, interval=0.1, message="the hold expired")
    assert (await world.buckets(drill, shop)).customer_reserved == 0
    (released,) = await stock_events.wait_for(
        lambda r: header(r, "ce_type") == "InventoryReleased" and value(r)["reservationId"] == reservation_id
    )
    assert value(released)["reason"] == "EXPIRED"

    again = await reservations.reserve(order, "F1", reserve_line(drill, shop, 4, itemLineNo=1))
    assert [(line["status"], line["reservedQuantity"]) for line in again["lines"]] == [("HELD", 4)]
    assert (await world.buckets(drill, shop)).customer_reserved == Decimal(4)
