"""availableInventory/get: the specification's formula and assumptions, with exact quantities."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from inventory.service_layer.availability import available_inventory
from shared_contracts.merchandising import AvailableInventoryRequest, AvailableInventoryResponse


def store(location: int, channel: int | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"location": location, "locationType": "S"}
    if channel is not None:
        entry["channelId"] = channel
    return entry


def warehouse(location: int, channel: int | None = None) -> dict[str, object]:
    entry: dict[str, object] = {"location": location, "locationType": "W"}
    if channel is not None:
        entry["channelId"] = channel
    return entry


async def test_available_is_on_hand_minus_transfer_customer_rtv_and_non_sellable(world, merch):
    (shop,) = await world.stores("shop")
    (drill,) = await world.items("drill")
    await world.stock(drill, shop, 40, transferReserved=2, rtv=1, nonSellable=1, backorder=9)
    await world.load(
        reservations=[
            {
                "customerOrderNo": world.order("1"),
                "fulfillOrderNo": "1",
                "item": drill,
                "location": shop,
                "quantity": 3,
            }
        ]
    )

    found = await merch.availability([drill], [store(shop, channel=1)])

    assert found == [
        {"item": drill, "location": shop, "locationType": "S", "availableQuantity": 33, "uom": "EA"}
    ]  # no channelId for a store, no packCalculateInd for a regular item; backorder does not count
    AvailableInventoryResponse.model_validate({"items": found})


async def test_only_sellable_customer_orderable_items_ranged_at_customer_order_locations(world, merch):
    (shop,) = await world.stores("shop")
    (outlet,) = await world.stores("outlet", customerOrderLocation=False)
    (kiosk,) = await world.stores("kiosk", franchise=True, stockholding=False)
    regular, discontinued, inactive, unranged = await world.items("regular", "disc", "inactive", "unranged")
    (bag,) = await world.items("bag", sellable=False)
    (gift,) = await world.items("gift", customerOrderable=False)
    await world.stock(regular, shop, 5)
    await world.stock(regular, outlet, 5)
    await world.stock(discontinued, shop, 4, status="C")
    await world.stock(inactive, shop, 3, status="I")
    await world.stock(bag, shop, 100)
    await world.stock(gift, shop, 100)

    found = await merch.availability(
        [regular, discontinued, inactive, unranged, bag, gift, "no-such-item"],
        [store(shop), store(outlet), store(kiosk), store(world.location("unknown"))],
    )

    assert [(entry["item"], entry["location"], entry["availableQuantity"]) for entry in found] == [
        (regular, shop, 5),
        (discontinued, shop, 4),
    ]


async def test_a_pack_at_a_store_is_the_number_of_complete_packs_its_components_make(world, merch):
    (shop,) = await world.stores("shop")
    kit, drill, bulb, missing = await world.items("kit", "drill", "bulb", "missing")
    (lonely,) = await world.items("lonely", itemType="PACK")
    await world.load(
        items=[{"item": kit, "itemType": "PACK"}],
        packComponents=[
            {"packItem": kit, "componentItem": drill, "quantity": 1},
            {"packItem": kit, "componentItem": bulb, "quantity": 2},
            {"packItem": lonely, "componentItem": missing, "quantity": 1},
        ],
        stock=[
            {"item": kit, "location": shop, "stockOnHand": 50},  # held pack stock is ignored at a store
            {"item": drill, "location": shop, "stockOnHand": 8, "transferReserved": 1},  # 7 drills
            {"item": bulb, "location": shop, "stockOnHand": 10, "nonSellable": 1},  # 9 bulbs: 4 pairs
            {"item": lonely, "location": shop, "stockOnHand": 3},  # its component is not ranged here
        ],
    )

    found = await merch.availability([kit, lonely], [store(shop)])

    assert found == [
        {"item": kit, "location": shop, "locationType": "S", "availableQuantity": 4, "uom": "EA",
         "packCalculateInd": "Y"},
        {"item": lonely, "location": shop, "locationType": "S", "availableQuantity": 0, "uom": "EA",
         "packCalculateInd": "Y"},
    ]  # fmt: skip


def answer(item: str, location: int, quantity: int, **extra: object) -> dict[str, object]:
    return {"item": item, "location": location, "locationType": "W", **extra, "availableQuantity": quantity,
            "uom": "EA"}  # fmt: skip


async def test_a_physical_warehouse_answers_for_its_customer_orderable_virtual_warehouses(world, merch):
    dc, virtual = await world.warehouse("dc", {1: True, 2: True, 3: False})
    ecom, market, replenish = virtual[1], virtual[2], virtual[3]
    drill, kit = await world.items("drill", "kit")
    await world.load(
        items=[{"item": kit, "itemType": "PACK"}],
        packComponents=[{"packItem": kit, "componentItem": drill, "quantity": 2}],
    )
    await world.stock(drill, ecom, 200, transferReserved=20)
    await world.stock(drill, market, 50, rtv=5)
    await world.stock(drill, replenish, 70)
    await world.stock(kit, ecom, 15)

    every_channel = await merch.availability([drill, kit], [warehouse(dc)])
    channel_two = await merch.availability([drill], [warehouse(dc, channel=2)])
    virtual_only = await merch.availability([drill], [warehouse(ecom)])
    wrong_type = await merch.availability([drill], [store(dc), store(ecom)])

    drills = [answer(drill, ecom, 180, channelId=1), answer(drill, market, 45, channelId=2)]
    assert every_channel == [
        *sorted(drills, key=lambda entry: int(str(entry["location"]))),  # virtual warehouses by number
        answer(kit, ecom, 15, channelId=1, packCalculateInd="N"),
    ]
    assert channel_two == [answer(drill, market, 45, channelId=2)]
    assert [entry["location"] for entry in virtual_only] == [ecom]
    assert wrong_type == []


async def test_many_items_at_many_locations_in_one_query_in_the_requested_order(world, inventory):
    shops = await world.stores(*(f"s{n}" for n in range(4)))
    items = await world.items(*(f"i{n}" for n in range(30)))
    await world.load(
        stock=[
            {"item": item, "location": shop, "stockOnHand": n + m, "customerReserved": 0}
            for n, item in enumerate(items)
            for m, shop in enumerate(shops)
        ]
    )
    request = AvailableInventoryRequest.model_validate(
        {"items": list(reversed(items)), "inventoryLocations": [store(shop) for shop in shops]}
    )
    statements: list[str] = []
    async with inventory.runtime.pool.acquire() as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        document = await available_inventory(conn, request, max_pairs=10_000)
        await asyncio.sleep(0)  # asyncpg calls query loggers with call_soon
        queries = len(statements)

    found = AvailableInventoryResponse.model_validate_json(document).items or []
    assert queries == 1
    assert [(entry.item, entry.location) for entry in found] == [
        (item, shop) for item in reversed(items) for shop in shops
    ]
    assert found[0].available_quantity == Decimal(29 + 0)
    assert found[-1].available_quantity == Decimal(0 + 3)


@pytest.mark.parametrize(
    ("body", "field", "input_value"),
    [
        ({"items": ["1"], "inventoryLocations": [{"location": 6000, "locationType": "X"}]},
         "inventoryLocations[0].locationType", "X"),
        ({"items": ["1"], "inventoryLocations": [{"location": "6000", "locationType": "S"}]},
         "inventoryLocations[0].location", "6000"),
        ({"items": [], "inventoryLocations": [{"location": 6000, "locationType": "S", "channelId": 12345}]},
         "inventoryLocations[0].channelId", 12345),
        ({"items": ["x" * 26], "inventoryLocations": []}, "items[0]", "x" * 26),
        ({"inventoryLocations": []}, "items", {"inventoryLocations": []}),
        ({"items": [], "inventoryLocations": [], "store": 1}, "store", 1),
    ],
)  # fmt: skip
async def test_validation_errors_name_the_field_and_the_input_value(merch, body, field, input_value):
    response = await merch.post("availableInventory/get", body)

    assert response.status_code == 400
    error = response.json()
    assert (error["status"], error["code"], error["category"]) == ("ERROR", "VALIDATION_FAILED", "VALIDATION")
    assert error["message"] == "Error found in validation of input payload"
    assert [(e["field"], e["inputValue"]) for e in error["validationErrors"]] == [(field, input_value)]
    assert error["validationErrors"][0]["error"]
    assert error["traceId"] == response.headers["x-trace-id"]


async def test_too_many_pairs_is_a_validation_error(merch, inventory):
    items = [str(n) for n in range(101)]
    locations = [store(n + 1) for n in range(100)]
    response = await merch.post("availableInventory/get", {"items": items, "inventoryLocations": locations})

    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "items"


async def test_only_merchandising_callers(merch):
    body = {"items": [], "inventoryLocations": []}
    distributor = await merch.post("availableInventory/get", body, headers={"x-roles": "distributor"})
    anonymous = await merch.client.post(
        "/MerchIntegrations/services/customerOrders/availableInventory/get",
        json=body,
        headers={"x-trace-id": "t"},
    )

    assert (distributor.status_code, distributor.json()["category"]) == (403, "AUTHORIZATION")
    assert anonymous.status_code == 401
