"""Create and Cancel Fulfillment Order over HTTP against the in-process inventory: every
confirmation type, all-or-nothing, update-on-resend, cancel and over-cancel; the inventory
invariant after each test."""

from __future__ import annotations

from decimal import Decimal

import pytest_asyncio

from shared_contracts.merchandising import read_spec_sample
from shared_messaging.testing import wait_until

from .conftest import Stack
from .world import World, assert_invariant, create, merch


@pytest_asyncio.fixture(loop_scope="session")
async def world(stack: Stack) -> World:
    built = World(stack)
    await built.build({"drill": 10, "bulb": 3, "nosupply": 5}, bananas="CATCHWEIGHT")
    return built


async def test_transfer_from_a_warehouse_is_c_with_a_transfer_number(stack: Stack, world: World) -> None:
    response = await create(stack.client, world.order("c", [("drill", 4), ("bulb", 2)], source="WH"))
    assert response.status_code == 200, response.text
    (confirmation,) = response.json()["items"]
    assert confirmation["confirmationType"] == "C"
    assert isinstance(confirmation["confirmationNo"], int)
    assert confirmation["fulfillLocation"] == world.store
    assert confirmation["systemCode"] == "INV"
    assert [(d["item"], d["confirmedQuantity"], d["itemLineNo"]) for d in confirmation["details"]] == [
        (world.item("drill"), 4, 1),
        (world.item("bulb"), 2, 2),
    ]
    assert await world.reserved("drill", world.virtual_warehouse) == 4
    await assert_invariant(stack.inventory_pool, world.items)


async def test_no_source_is_an_inventory_reservation_r(stack: Stack, world: World) -> None:
    response = await create(stack.client, world.order("r", [("drill", 2)]))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == [
        {
            "customerOrderNo": world.order_no("r"),
            "fulfillOrderNo": world.order_no("r") + "-1",
            "confirmationType": "R",
            "confirmationNo": None,
            "details": None,
            "fulfillLocation": None,
            "systemCode": None,
        }
    ]
    assert await world.reserved("drill", world.store) == 2
    await assert_invariant(stack.inventory_pool, world.items)


async def test_shortage_is_p_where_partial_is_allowed_and_x_where_not(stack: Stack, world: World) -> None:
    partial = await create(
        stack.client, world.order("p", [("drill", 1), ("bulb", 5)], source="ST", partial="N")
    )
    (p,) = partial.json()["items"]
    assert p["confirmationType"] == "P"
    assert isinstance(p["confirmationNo"], int)
    assert [d["confirmedQuantity"] for d in p["details"]] == [1, 3]
    whole = await create(
        stack.client, world.order("x", [("drill", 1), ("bulb", 1)], source="ST", partial="Y")
    )
    (x,) = whole.json()["items"]
    assert x["confirmationType"] == "X"
    assert x["confirmationNo"] is None
    assert [d["confirmedQuantity"] for d in x["details"]] == [0, 0]
    assert await world.reserved("drill", world.store) == 1
    await assert_invariant(stack.inventory_pool, world.items)


async def test_supplier_source_is_a_purchase_order_for_supplied_items_only(
    stack: Stack, world: World
) -> None:
    supplied = await create(stack.client, world.order("po", [("drill", 7)], source="SU"))
    (po,) = supplied.json()["items"]
    assert po["confirmationType"] == "C"
    assert isinstance(po["confirmationNo"], int)
    assert po["details"][0]["confirmedQuantity"] == 7
    refused = await create(stack.client, world.order("po-x", [("nosupply", 1)], source="SU"))
    assert refused.json()["items"][0]["confirmationType"] == "X"
    assert await world.reserved("drill", world.store) == 0


async def test_one_bad_order_in_five_creates_nothing_and_holds_nothing(stack: Stack, world: World) -> None:
    orders = [world.order(f"aon{n}", [("drill", 1)], source="WH") for n in range(4)]
    orders.insert(2, world.order("aon-bad", [("bananas", 1)], fulfillLocation=world.franchise))
    response = await create(stack.client, *orders)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "VALIDATION_FAILED"
    assert body["category"] == "VALIDATION"
    fields = {problem["field"] for problem in body["validationErrors"]}
    assert {"items[2].fulfillLocation", "items[2].details[0].item"} <= fields
    created = await stack.pool.fetchval(
        "SELECT count(*) FROM fulfillment_orders WHERE customer_order_no LIKE $1", f"CO-{world.tag}-aon%"
    )
    holds = await stack.inventory_pool.fetchval(
        "SELECT count(*) FROM reservations WHERE customer_order_no LIKE $1", f"CO-{world.tag}-aon%"
    )
    assert (created, holds) == (0, 0)
    assert await world.reserved("drill", world.virtual_warehouse) == 0


async def test_field_rules_of_the_specification(stack: Stack, world: World) -> None:
    bad = world.order("fields", [("drill", 1)], carrierCode="TOOLONG", partialDeliveryInd="X")
    response = await create(stack.client, bad)
    assert response.status_code == 400
    fields = {problem["field"] for problem in response.json()["validationErrors"]}
    assert {"items[0].carrierCode", "items[0].partialDeliveryInd"} <= fields
    unknown = world.order("unknown", [("drill", 1)], fulfillLocationType="V")
    unknown["details"].append({"item": "NO-SUCH-ITEM", "orderQuantitySuom": 1, "substituteInd": "N"})
    response = await create(stack.client, unknown)
    problems = {(p["field"], p["inputValue"]) for p in response.json()["validationErrors"]}
    assert ("items[0].details[1].item", "NO-SUCH-ITEM") in problems
    assert ("items[0].fulfillLocationType", "V") in problems


async def test_values_inventory_refuses_are_a_validation_error_not_a_502(stack: Stack, world: World) -> None:
    # Found by schemathesis: an empty item and location 0 reached inventory, whose 400 became 502.
    bad = world.order("refused", [("drill", 1)], fulfillLocation=0)
    bad["details"][0]["item"] = ""
    response = await create(stack.client, bad)
    assert response.status_code == 400, response.text
    assert (response.json()["code"], response.json()["category"]) == ("VALIDATION_FAILED", "VALIDATION")
    assert response.json()["validationErrors"]


async def test_resend_adds_new_lines_and_the_same_line_changes_nothing(stack: Stack, world: World) -> None:
    first = (await create(stack.client, world.order("re", [("drill", 2)], source="WH"))).json()["items"][0]
    again = (await create(stack.client, world.order("re", [("drill", 2), ("bulb", 1)], source="WH"))).json()[
        "items"
    ][0]
    assert again["confirmationNo"] == first["confirmationNo"]
    assert [(d["item"], d["confirmedQuantity"]) for d in again["details"]] == [
        (world.item("drill"), 2),
        (world.item("bulb"), 1),
    ]
    third = (await create(stack.client, world.order("re", [("drill", 2), ("bulb", 1)], source="WH"))).json()[
        "items"
    ][0]
    assert third == again
    assert await world.reserved("drill", world.virtual_warehouse) == 2
    assert await world.reserved("bulb", world.virtual_warehouse) == 1
    lines = await stack.inventory_pool.fetchval(
        "SELECT count(*) FROM reservation_lines l JOIN reservations r USING (reservation_id) "
        "WHERE r.customer_order_no = $1",
        world.order_no("re"),
    )
    assert lines == 2
    await assert_invariant(stack.inventory_pool, world.items)


async def test_cancel_reduces_open_quantities_and_over_cancel_is_a_business_error(
    stack: Stack, world: World
) -> None:
    order = world.order("cancel", [("drill", 5)])
    await create(stack.client, order)
    cancel = {
        "items": [
            {
                "customerOrderNo": order["customerOrderNo"],
                "fulfillOrderNo": order["fulfillOrderNo"],
                "fulfillLocation": world.store,
                "details": [{"item": world.item("drill"), "cancelQuantityInSuom": 2, "itemLineNo": 1}],
            }
        ]
    }
    response = await merch(stack.client, "PUT", "fulfillmentOrder/cancel", cancel)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "SUCCESS", "message": "Service call is successful"}
    await wait_until(lambda: _reserved_is(world, 3), message="inventory released 2")
    await assert_invariant(stack.inventory_pool, world.items)
    cancel["items"][0]["details"][0]["cancelQuantityInSuom"] = 4
    over = await merch(stack.client, "PUT", "fulfillmentOrder/cancel", cancel)
    assert over.status_code == 400
    body = over.json()
    assert body["category"] == "BUSINESS"
    assert "only 3 is open" in body["businessError"][0]
    opened = await stack.pool.fetchval(
        "SELECT confirmed_quantity - cancelled_quantity FROM fulfillment_order_lines l "
        "JOIN fulfillment_orders o USING (fulfillment_order_id) WHERE o.customer_order_no = $1",
        order["customerOrderNo"],
    )
    assert opened == Decimal(3)
    await assert_invariant(stack.inventory_pool, world.items)


async def test_the_specification_samples_work_as_written(stack: Stack) -> None:
    created = await merch(
        stack.client, "POST", "fulfillmentOrder/create", None, **{"content-type": "application/json"}
    )
    assert created.status_code == 400
    response = await stack.client.post(
        "/MerchIntegrations/services/customerOrders/fulfillmentOrder/create",
        content=read_spec_sample("fulfillment_order_create_request"),
        headers={
            "x-client-id": "oms",
            "x-environment": "production",
            "x-roles": "merchandising",
            "x-trace-id": "t",
            "content-type": "application/json",
        },
    )
    assert response.status_code == 200, response.text
    (confirmation,) = response.json()["items"]
    assert (confirmation["customerOrderNo"], confirmation["confirmationType"]) == ("123124", "C")
    assert confirmation["details"][0]["confirmedQuantity"] == 3
    open_before = await stack.pool.fetchval(
        "SELECT sum(confirmed_quantity - cancelled_quantity) FROM fulfillment_order_lines l "
        "JOIN fulfillment_orders o "
        "USING (fulfillment_order_id) WHERE o.customer_order_no = '123124' AND o.fulfill_order_no = '123124'"
    )
    cancelled = await stack.client.put(
        "/MerchIntegrations/services/customerOrders/fulfillmentOrder/cancel",
        content=read_spec_sample("fulfillment_order_cancel_request"),
        headers={
            "x-client-id": "oms",
            "x-environment": "production",
            "x-roles": "merchandising",
            "x-trace-id": "t",
            "content-type": "application/json",
        },
    )
    if open_before >= 3:
        assert cancelled.status_code == 200, cancelled.text
    else:  # an earlier run on this shared database cancelled the sample order already
        assert cancelled.status_code == 400
        assert "is open" in cancelled.json()["businessError"][0]


async def test_the_merchandising_role_is_required(stack: Stack, world: World) -> None:
    response = await create(stack.client, world.order("role", [("drill", 1)]), **{"x-roles": "distributor"})
    assert response.status_code == 403


async def _reserved_is(world: World, quantity: int) -> bool:
    return await world.reserved("drill", world.store) == quantity
