"""OMS commands on Kafka: the same outcomes as over HTTP, once per message, refusals to the DLQ."""

from __future__ import annotations

import json
import uuid
from typing import Any

from shared_contracts import topics
from shared_messaging.testing import wait_until

from .kafka_helpers import TopicTail, header, publish_command, value
from .reservations_api import reserve_line

BACKORDER = "InventoryBackorderRequested"
SUBSTITUTION = "ItemSubstitutionRequested"


async def backorder_world(world) -> dict[str, Any]:
    (shop,) = await world.stores("shop")
    dc, virtual = await world.warehouse("dc", {1: True, 2: True})
    (bulb,) = await world.items("bulb")
    await world.load(uomConversions=[{"item": bulb, "uom": "CS", "factor": 12}])
    for location in (shop, virtual[1], virtual[2]):
        await world.stock(bulb, location, 5, backorder=1)
    return {"shop": shop, "dc": dc, "bulb": bulb, "virtual": virtual}


def backorder_request(names: dict[str, Any]) -> dict[str, Any]:
    lines = [
        {
            "item": names["bulb"],
            "locationType": "S",
            "location": names["shop"],
            "backorderQuantity": 2,
            "uom": "CS",
        },
        {
            "item": names["bulb"],
            "locationType": "W",
            "location": names["dc"],
            "channelId": 2,
            "backorderQuantity": 3,
        },
        {"item": names["bulb"], "locationType": "S", "location": names["shop"], "backorderQuantity": -0.5},
    ]
    return {"collectionSize": len(lines), "items": lines}


async def backorders_of(world, names: dict[str, Any]) -> list[Any]:
    locations = (names["shop"], names["virtual"][1], names["virtual"][2])
    return [(await world.buckets(names["bulb"], location)).backorder for location in locations]


def events_of(tail: TopicTail, item: str) -> Any:
    return lambda record: value(record).get("item") == item


def sorted_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(events, key=lambda event: json.dumps(event, sort_keys=True))


def normalized(record: Any, names: dict[str, Any]) -> dict[str, Any]:
    """An event with the world's own numbers replaced by their names."""
    text = json.dumps(value(record))
    for name, number in [("bulb", names["bulb"]), ("shop", names["shop"])] + [
        (f"vw{channel}", number) for channel, number in names["virtual"].items()
    ]:
        text = text.replace(json.dumps(number), json.dumps(name))
    return {"type": header(record, "ce_type"), **json.loads(text)}


async def test_a_backorder_over_kafka_ends_like_the_same_backorder_over_http(
    world, merch, kafka_bootstrap, stock_events
):
    over_http = await backorder_world(world)
    over_kafka = await backorder_world(world.__class__(world.pool))
    transaction = f"tx-{uuid.uuid4().hex}"

    response = await merch.post("inventoryBackorder/create", backorder_request(over_http))
    await publish_command(
        kafka_bootstrap,
        topics.OMS_INVENTORY_BACKORDERS,
        BACKORDER,
        json.dumps(backorder_request(over_kafka)).encode(),
        key=over_kafka["bulb"],
        transaction_id=transaction,
    )

    assert response.status_code == 200
    http_events = await stock_events.wait_for(events_of(stock_events, over_http["bulb"]), count=3)
    kafka_events = await stock_events.wait_for(events_of(stock_events, over_kafka["bulb"]), count=3)
    assert await backorders_of(world, over_kafka) == await backorders_of(world, over_http) == [24.5, 1, 4]
    # Events of different item/locations may come from different partitions, in any order.
    kafka_outcome = sorted_events([normalized(record, over_kafka) for record in kafka_events])
    assert kafka_outcome == sorted_events([normalized(record, over_http) for record in http_events])
    assert {header(record, "x-transaction-id") for record in kafka_events} == {transaction}


async def test_a_substitution_over_kafka_ends_like_the_same_substitution_over_http(
    world, merch, reservations, kafka_bootstrap, stock_events
):
    async def scenario(tag: str) -> dict[str, Any]:
        (shop,) = await world.stores(f"shop{tag}")
        honeycrisp, gala = await world.items(f"h{tag}", f"g{tag}")
        await world.stock(honeycrisp, shop, 10)
        await world.stock(gala, shop, 10)
        order = world.order(tag)
        held = await reservations.reserve(order, order, reserve_line(honeycrisp, shop, 4, itemLineNo=1))
        await reservations.confirm(held["reservationId"])
        detail = {"substituteItem": gala, "substituteItemQuantity": 3, "substituteItemQuantityUom": "EA"}
        entry = {"customerOrderNo": order, "fulfillOrderNo": order, "location": shop, "item": honeycrisp,
                 "quantity": 1, "uom": "EA", "itemLineNo": 1, "details": [detail]}  # fmt: skip
        request = {"collectionSize": 1, "items": [entry]}
        return {"shop": shop, "items": (honeycrisp, gala), "order": order, "request": request, **held}

    over_http, over_kafka = await scenario("a"), await scenario("b")
    await merch.post("itemSubstitution/create", over_http["request"])
    await publish_command(
        kafka_bootstrap,
        topics.OMS_ITEM_SUBSTITUTIONS,
        SUBSTITUTION,
        json.dumps(over_kafka["request"]).encode(),
        key=over_kafka["order"],
        transaction_id=f"tx-{uuid.uuid4().hex}",
    )

    await stock_events.wait_for(lambda r: value(r).get("customerOrderNo") == over_kafka["order"]
                                and header(r, "ce_type") == "ItemSubstituted")  # fmt: skip

    async def state(names: dict[str, Any]) -> list[Any]:
        lines = (await reservations.get(names["reservationId"]))["lines"]
        buckets = [await world.buckets(item, names["shop"]) for item in names["items"]]
        return [
            [(line["quantity"], line["releasedQuantity"], line["status"]) for line in lines],
            [(bucket.customer_reserved, bucket.available) for bucket in buckets],
        ]

    assert (
        await state(over_kafka)
        == await state(over_http)
        == [
            [(1, 3, "CONFIRMED"), (3, 0, "CONFIRMED")],
            [(1, 9), (3, 7)],
        ]
    )


async def test_a_redelivered_message_changes_nothing(world, kafka_bootstrap, stock_events):
    names = await backorder_world(world)
    bulb, shop = names["bulb"], names["shop"]

    def request(quantity: int) -> bytes:
        line = {"item": bulb, "locationType": "S", "location": shop, "backorderQuantity": quantity}
        return json.dumps({"collectionSize": 1, "items": [line]}).encode()

    same_id, same_transaction = str(uuid.uuid4()), f"tx-{uuid.uuid4().hex}"
    await publish_command(kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, request(2), key=bulb,
                          ce_id=same_id)  # fmt: skip
    await publish_command(kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, request(2), key=bulb,
                          ce_id=same_id)  # fmt: skip
    for _ in range(2):
        await publish_command(
            kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, request(10), key=bulb,
            transaction_id=same_transaction,
        )  # fmt: skip
    await publish_command(kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, request(100), key=bulb)

    # Same key, same partition: once the last message's event is out, the duplicates were handled.
    events = await stock_events.wait_for(
        lambda r: value(r).get("item") == bulb and value(r)["adjustment"] == 100, count=1
    )
    assert events
    assert (await world.buckets(bulb, shop)).backorder == 1 + 2 + 10 + 100


async def test_poison_messages_go_to_the_dlq_with_the_error_and_the_next_one_is_applied(
    world, kafka_bootstrap
):
    names = await backorder_world(world)
    bulb, shop = names["bulb"], names["shop"]
    line = {"item": bulb, "locationType": "S", "location": shop, "backorderQuantity": 1}
    poisons = {
        "INVALID_JSON": b"{not json",
        "VALIDATION_FAILED": json.dumps({"collectionSize": 2, "items": [line]}).encode(),
        "BUSINESS_RULE_VIOLATION": json.dumps(
            {"collectionSize": 1, "items": [{**line, "backorderQuantity": -50}]}
        ).encode(),
    }
    dlq = topics.dlq(topics.OMS_INVENTORY_BACKORDERS)
    async with TopicTail.following(kafka_bootstrap, dlq) as dead_letters:
        for poison in poisons.values():
            await publish_command(
                kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, poison, key=bulb
            )
        good = json.dumps({"collectionSize": 1, "items": [line]}).encode()
        await publish_command(kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, BACKORDER, good, key=bulb)

        records = await dead_letters.wait_for(lambda r: r.key == bulb.encode(), count=3)

    assert [header(record, "x-error-code") for record in records] == list(poisons)
    assert [record.value for record in records] == list(poisons.values())
    errors = [json.loads(header(record, "x-error") or "{}") for record in records]
    assert errors[1]["validationErrors"] == [
        {"error": "must equal the number of items (1)", "field": "collectionSize", "inputValue": 2}
    ]
    assert errors[2]["businessError"] == [
        f"items[0]: The backorder quantity of item {bulb} at physical store {shop} cannot go below zero "
        "(it holds 1 EA; adjustment -50)"
    ]
    assert all(error["status"] == "ERROR" for error in errors)

    async def applied() -> bool:
        return bool((await world.buckets(bulb, shop)).backorder == 2)

    await wait_until(applied, seconds=20, message="the message after the poison ones applied")
