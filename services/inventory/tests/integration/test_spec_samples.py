"""The specification's sample input messages, sent exactly as written, against the demo data; and
its error examples reproduced in shape."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest_asyncio

from inventory.adapters import reservations as reservation_store
from inventory.service_layer.data_loading import load_demo
from shared_contracts import topics
from shared_contracts.merchandising import read_spec_sample

from .kafka_helpers import header, publish_command, value

SUCCESS = {"status": "SUCCESS", "message": "Service call is successful"}
SPEC_ERROR_EXAMPLE = {
    "status": "ERROR",
    "message": "Error found in validation of input payload",
    "validationErrors": [
        {"error": "must be one of Y, N", "field": "createRecord.arg0.approveInd", "inputValue": "X"}
    ],
    "businessError": ["Error message"],
}


@pytest_asyncio.fixture(loop_scope="session")
async def demo(inventory) -> None:
    await load_demo(inventory.runtime.pool)


async def test_the_available_inventory_sample(demo, merch):
    response = await merch.post("availableInventory/get", read_spec_sample("available_inventory_get_request"))

    assert (response.status_code, response.json()) == (200, {"items": []})  # "String" is no item


async def test_the_sample_items_are_available_at_the_sample_stores(demo, merch):
    items = ["100100076", "100050005", "101550001", "100000198", "100100068"]
    stores = [{"location": store, "locationType": "S"} for store in (6000, 1521, 1311)]

    found = await merch.availability(items, stores)

    assert {(entry["item"], entry["location"]) for entry in found} == {
        (item, store["location"]) for item in items for store in stores
    }


async def test_the_inventory_backorder_sample(demo, merch, world):
    before = (await world.buckets("100050005", 1521)).backorder

    response = await merch.post(
        "inventoryBackorder/create", read_spec_sample("inventory_backorder_create_request")
    )

    assert (response.status_code, response.json()) == (200, SUCCESS)
    assert (await world.buckets("100050005", 1521)).backorder - before == Decimal(3)


async def test_the_inventory_backorder_sample_on_kafka(demo, world, kafka_bootstrap, stock_events):
    transaction = f"tx-{uuid.uuid4().hex}"
    await publish_command(
        kafka_bootstrap,
        topics.OMS_INVENTORY_BACKORDERS,
        "InventoryBackorderRequested",
        read_spec_sample("inventory_backorder_create_request").encode(),
        key="100050005",
        transaction_id=transaction,
    )

    (event,) = await stock_events.wait_for(lambda r: header(r, "x-transaction-id") == transaction)
    assert (value(event)["item"], value(event)["location"], value(event)["adjustment"]) == (
        "100050005",
        1521,
        3,
    )


async def test_the_item_substitution_sample(demo, merch, inventory):
    response = await merch.post(
        "itemSubstitution/create", read_spec_sample("item_substitution_create_request")
    )

    assert (response.status_code, response.json()) == (200, SUCCESS)
    pool = inventory.runtime.pool
    reservation = await reservation_store.find_by_order(pool, "180008", "180008")
    assert reservation is not None
    lines = (await reservation_store.lines_of(pool, [reservation.reservation_id], lock=False))[
        reservation.reservation_id
    ]
    assert [(line.item, line.location, line.item_line_no, line.quantity) for line in lines] == [
        ("101550001", 1311, 1, Decimal(3)),
        ("100000198", 1311, 1, Decimal(3)),
    ]
    assert lines[1].substitute_for_line_id == lines[0].line_id


async def test_the_error_examples_in_shape(demo, merch):
    sample = read_spec_sample("inventory_backorder_create_request")
    invalid = await merch.post(
        "inventoryBackorder/create", sample.replace('"locationType": "S"', '"locationType": "X"')
    )
    refused = await merch.post("inventoryBackorder/create", sample.replace("100050005", "999999999"))

    validation, business = invalid.json(), refused.json()
    assert (invalid.status_code, refused.status_code) == (400, 400)
    for body in (validation, business):
        assert body["status"] == SPEC_ERROR_EXAMPLE["status"]
        assert set(body) <= {"code", "category", "traceId", *SPEC_ERROR_EXAMPLE}
    assert validation["message"] == SPEC_ERROR_EXAMPLE["message"]
    assert validation["validationErrors"] == [
        {"error": "Input should be 'S' or 'W'", "field": "items[0].locationType", "inputValue": "X"}
    ]
    assert business["businessError"] == ["items[0]: Item 999999999 does not exist"]
