"""itemSubstitution/create: only reserved items, stores only, the substitutes reserved without
oversell on lines cross-referencing the original, all or nothing, ItemSubstituted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .kafka_helpers import header, value
from .reservations_api import reserve_line


def substitution(
    order: str, store: int, item: str, quantity: float, *subs: tuple[str, float], line: int | None = 1
):
    entry: dict[str, Any] = {
        "customerOrderNo": order,
        "fulfillOrderNo": order,
        "location": store,
        "item": item,
        "quantity": quantity,
        "uom": "EA",
        "details": [
            {"substituteItem": sub, "substituteItemQuantity": qty, "substituteItemQuantityUom": "EA"}
            for sub, qty in subs
        ],
    }
    if line is not None:
        entry["itemLineNo"] = line
    return entry


def body(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"collectionSize": len(entries), "items": list(entries)}


async def reserved_order(
    world, reservations, store: int, item: str, quantity: int, *, confirm: bool = True
) -> str:
    order = world.order("sub")
    held = await reservations.reserve(order, order, reserve_line(item, store, quantity, itemLineNo=1))
    if confirm:
        await reservations.confirm(held["reservationId"])
    return str(held["reservationId"])


async def test_the_reservation_moves_to_the_substitutes(world, merch, reservations, stock_events):
    (shop,) = await world.stores("shop")
    honeycrisp, gala, fuji = await world.items("honeycrisp", "gala", "fuji")
    await world.stock(honeycrisp, shop, 20)
    await world.stock(gala, shop, 20)
    await world.stock(fuji, shop, 20)
    reservation_id = await reserved_order(world, reservations, shop, honeycrisp, 5)
    order = world.order("sub")

    request = body(substitution(order, shop, honeycrisp, 2, (gala, 2), (fuji, 1)))
    transaction = f"tx-{world.tag}"
    response = await merch.post("itemSubstitution/create", request, transaction_id=transaction)
    again = await merch.post("itemSubstitution/create", request)

    assert (response.status_code, again.status_code) == (200, 200)
    lines = (await reservations.get(reservation_id))["lines"]
    assert [(line["item"], line["quantity"], line["status"], line["substituteOf"]) for line in lines] == [
        (honeycrisp, 2, "CONFIRMED", None),
        (gala, 2, "CONFIRMED", {"item": honeycrisp, "itemLineNo": 1}),
        (fuji, 1, "CONFIRMED", {"item": honeycrisp, "itemLineNo": 1}),
    ]
    assert lines[0]["releasedQuantity"] == 3
    assert [(await world.buckets(item, shop)).customer_reserved for item in (honeycrisp, gala, fuji)] == [
        2,
        2,
        1,
    ]
    (event,) = await stock_events.wait_for(
        lambda r: header(r, "ce_type") == "ItemSubstituted" and value(r)["item"] == honeycrisp, settle=0.5
    )  # the second, identical request moved nothing and announced nothing
    assert value(event) == {
        "customerOrderNo": order, "fulfillOrderNo": order, "location": shop, "item": honeycrisp,
        "quantity": 2, "cancelledQuantity": 3, "uom": "EA", "itemLineNo": 1,
        "substitutes": [
            {"substituteItem": gala, "substituteItemQuantity": 2, "substituteItemQuantityUom": "EA"},
            {"substituteItem": fuji, "substituteItemQuantity": 1, "substituteItemQuantityUom": "EA"},
        ],
    }  # fmt: skip
    assert header(event, "x-transaction-id") == transaction


async def test_substitutes_are_never_oversold_and_nothing_moves_when_one_is_short(world, merch, reservations):
    (shop,) = await world.stores("shop")
    honeycrisp, gala = await world.items("honeycrisp", "gala")
    await world.stock(honeycrisp, shop, 20)
    await world.stock(gala, shop, 3)
    await reserved_order(world, reservations, shop, honeycrisp, 5)

    response = await merch.post(
        "itemSubstitution/create", body(substitution(world.order("sub"), shop, honeycrisp, 0, (gala, 4)))
    )

    assert response.status_code == 400
    assert response.json()["businessError"] == [
        f"items[0]: details[0]: Not enough available inventory of substitute item {gala} at store {shop}: "
        "3 available, 4 EA needed"
    ]
    assert (await world.buckets(honeycrisp, shop)).customer_reserved == 5
    assert (await world.buckets(gala, shop)).customer_reserved == 0


async def test_only_reserved_items_at_stores_with_supported_substitutes(world, merch, reservations):
    (shop,) = await world.stores("shop")
    dc, _ = await world.warehouse("dc", {1: True})
    honeycrisp, gala, unreserved = await world.items("honeycrisp", "gala", "unreserved")
    (salmon,) = await world.items("salmon", itemType="TRANSFORMABLE")
    (old,) = await world.items("old")
    for item in (honeycrisp, gala, unreserved, salmon):
        await world.stock(item, shop, 20)
    await world.stock(old, shop, 20, status="C")
    await reserved_order(world, reservations, shop, honeycrisp, 5)
    order = world.order("sub")

    response = await merch.post(
        "itemSubstitution/create",
        body(
            substitution(order, shop, unreserved, 1, (gala, 1)),
            substitution(order, dc, honeycrisp, 1, (gala, 1)),
            substitution(order, shop, honeycrisp, 6, (gala, 1)),
            substitution(order, shop, honeycrisp, 1, (salmon, 1), (old, 1), (honeycrisp, 1)),
            substitution("other-order", shop, honeycrisp, 1, (gala, 1)),
        ),
    )

    assert response.status_code == 400
    unreserved_text = (
        "has no reservation on customer order {0} / fulfillment order {0} at store {1}; only reserved "
    )
    assert response.json()["businessError"] == [
        f"items[0]: Item {unreserved} line 1 "
        + unreserved_text.format(order, shop)
        + "items can be substituted",
        f"items[1]: Location {dc} is a physical warehouse; item substitution is supported for store "
        "locations only",
        f"items[2]: The revised quantity 6 of item {honeycrisp} is more than its reserved quantity 5",
        f"items[3]: details[0]: Item {salmon} is a transformable item; transformable items are not supported "
        f"for customer order item substitution; details[1]: Item {old} is discontinued at physical store "
        f"{shop}; details[2]: Item {honeycrisp} cannot substitute itself",
        f"items[4]: Item {honeycrisp} line 1 "
        + unreserved_text.format("other-order", shop)
        + "items can be substituted",
    ]
    assert (await world.buckets(honeycrisp, shop)).customer_reserved == Decimal(5)


async def test_a_held_line_keeps_its_expiry_for_its_substitutes(world, merch, reservations):
    (shop,) = await world.stores("shop")
    honeycrisp, gala = await world.items("honeycrisp", "gala")
    await world.stock(honeycrisp, shop, 20)
    await world.stock(gala, shop, 20)
    reservation_id = await reserved_order(world, reservations, shop, honeycrisp, 5, confirm=False)

    response = await merch.post(
        "itemSubstitution/create",
        body(substitution(world.order("sub"), shop, honeycrisp, 5, (gala, 2), line=None)),
    )

    assert response.status_code == 200, response.text
    original, substitute = (await reservations.get(reservation_id))["lines"]
    assert (original["status"], substitute["status"]) == ("HELD", "HELD")
    assert substitute["expiresAt"] == original["expiresAt"]
