"""inventoryBackorder/create: the backorder bucket, all lines or none, BackorderAdjusted events."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from .kafka_helpers import header, value

SUCCESS = {"status": "SUCCESS", "message": "Service call is successful"}


def line(item: str, location: int, quantity: float, **extra: object) -> dict[str, object]:
    return {"item": item, "locationType": "S", "location": location, "backorderQuantity": quantity, **extra}


def body(*lines: dict[str, object]) -> dict[str, object]:
    return {"collectionSize": len(lines), "items": list(lines)}


async def test_backorders_go_up_and_down_and_are_announced(world, merch, stock_events):
    (shop,) = await world.stores("shop")
    (bulb,) = await world.items("bulb")
    await world.stock(bulb, shop, 10)
    transaction = f"tx-{uuid.uuid4().hex}"

    taken = await merch.post(
        "inventoryBackorder/create", body(line(bulb, shop, 3, uom="EA")), transaction_id=transaction
    )
    released = await merch.post("inventoryBackorder/create", body(line(bulb, shop, -1.5)))

    assert (taken.status_code, taken.json()) == (200, SUCCESS)
    assert (released.status_code, released.json()) == (200, SUCCESS)
    buckets = await world.buckets(bulb, shop)
    assert (buckets.backorder, buckets.available) == (Decimal("1.5"), Decimal(10))
    events = await stock_events.wait_for(
        lambda r: header(r, "ce_type") == "BackorderAdjusted" and value(r)["item"] == bulb, count=2
    )
    first, second = (value(record) for record in events)
    assert first == {
        "item": bulb, "location": shop, "locationType": "S", "channelId": None, "adjustment": 3,
        "backorderQuantity": 3, "uom": "EA",
    }  # fmt: skip
    assert (second["adjustment"], second["backorderQuantity"]) == (-1.5, 1.5)
    assert header(events[0], "x-transaction-id") == transaction
    assert events[0].key == f"{bulb}@{shop}".encode()


async def test_quantities_in_another_unit_of_measure_are_converted_or_refused(world, merch):
    (shop,) = await world.stores("shop")
    (bulb,) = await world.items("bulb")
    await world.load(uomConversions=[{"item": bulb, "uom": "CS", "factor": 12}])
    await world.stock(bulb, shop, 0)

    cases = await merch.post("inventoryBackorder/create", body(line(bulb, shop, 2, uom="CS")))
    pallets = await merch.post("inventoryBackorder/create", body(line(bulb, shop, 1, uom="PL")))

    assert cases.status_code == 200
    assert (await world.buckets(bulb, shop)).backorder == Decimal(24)
    assert pallets.status_code == 400
    assert pallets.json()["businessError"] == [
        f"items[0]: Item {bulb} has no conversion from PL to its standard unit of measure EA (known: CS, EA)"
    ]


async def test_a_warehouse_backorder_lands_in_the_virtual_warehouse_of_the_channel_or_the_primary_one(
    world, merch
):
    dc, virtual = await world.warehouse("dc", {1: True, 2: True})
    (bulb,) = await world.items("bulb")
    await world.stock(bulb, virtual[1], 0)
    await world.stock(bulb, virtual[2], 0)

    by_channel = line(bulb, dc, 4, locationType="W", channelId=2)
    primary = line(bulb, dc, 1, locationType="W")
    response = await merch.post("inventoryBackorder/create", body(by_channel, primary))

    assert response.status_code == 200, response.text
    assert (await world.buckets(bulb, virtual[2])).backorder == Decimal(4)
    assert (await world.buckets(bulb, virtual[1])).backorder == Decimal(1)


@pytest.mark.parametrize(
    "item_type", ["CATCHWEIGHT", "TRANSFORMABLE", "CONSIGNMENT", "CONCESSION", "DEPOSIT_CONTAINER"]
)
async def test_unsupported_item_types_are_refused(world, merch, item_type):
    (shop,) = await world.stores("shop")
    (odd,) = await world.items("odd", itemType=item_type)
    await world.stock(odd, shop, 5)

    response = await merch.post("inventoryBackorder/create", body(line(odd, shop, 1)))

    assert response.status_code == 400
    name = item_type.lower().replace("_", " ")
    assert response.json()["businessError"] == [
        f"items[0]: Item {odd} is a {name} item; {name} items are not supported for backorders"
    ]


async def test_one_bad_line_changes_nothing_and_every_bad_line_is_named(world, merch):
    (shop,) = await world.stores("shop")
    (kiosk,) = await world.stores("kiosk", franchise=True, stockholding=False)
    good, discontinued, unranged = await world.items("good", "disc", "unranged")
    await world.stock(good, shop, 5)
    await world.stock(discontinued, shop, 5, status="C")

    response = await merch.post(
        "inventoryBackorder/create",
        body(
            line(good, shop, 2),
            line(discontinued, shop, 1),
            line(unranged, shop, 1),
            line(good, kiosk, 1),
            line("no-such-item", shop, 1),
            line(good, world.location("nowhere"), 1),
            line(good, shop, -5),
        ),
    )

    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["category"], error["status"]) == (
        "BUSINESS_RULE_VIOLATION",
        "BUSINESS",
        "ERROR",
    )
    assert error["businessError"] == [
        f"items[1]: Item {discontinued} is discontinued at physical store {shop}",
        f"items[2]: Item {unranged} is not ranged at physical store {shop}",
        f"items[3]: Location {kiosk} is a physical franchise non-stockholding store",
        "items[4]: Item no-such-item does not exist",
        f"items[5]: Location {world.location('nowhere')} does not exist",
    ]
    assert (await world.buckets(good, shop)).backorder == 0


async def test_the_backorder_never_goes_below_zero(world, merch):
    (shop,) = await world.stores("shop")
    (bulb,) = await world.items("bulb")
    await world.stock(bulb, shop, 5, backorder=2)

    response = await merch.post("inventoryBackorder/create", body(line(bulb, shop, 1), line(bulb, shop, -4)))

    assert response.status_code == 400
    assert response.json()["businessError"] == [
        f"items[1]: The backorder quantity of item {bulb} at physical store {shop} cannot go below zero "
        "(it holds 3 EA; adjustment -4)"
    ]
    assert (await world.buckets(bulb, shop)).backorder == 2


@pytest.mark.parametrize(("collection_size", "lines"), [(2, 1), (0, 1), (1, 0)])
async def test_collection_size_must_match(world, merch, collection_size, lines):
    items = [line("1", 1, 1)] * lines
    response = await merch.post(
        "inventoryBackorder/create", {"collectionSize": collection_size, "items": items}
    )

    assert response.status_code == 400
    error = response.json()
    assert error["message"] == "Error found in validation of input payload"
    assert error["validationErrors"] == [
        {
            "error": f"must equal the number of items ({lines})",
            "field": "collectionSize",
            "inputValue": collection_size,
        }
    ]


async def test_a_repeated_transaction_id_is_applied_once(world, merch):
    (shop,) = await world.stores("shop")
    (bulb,) = await world.items("bulb")
    await world.stock(bulb, shop, 5)
    transaction = f"tx-{uuid.uuid4().hex}"

    for _ in range(3):
        response = await merch.post(
            "inventoryBackorder/create", body(line(bulb, shop, 2)), transaction_id=transaction
        )
        assert response.status_code == 200

    assert (await world.buckets(bulb, shop)).backorder == 2
