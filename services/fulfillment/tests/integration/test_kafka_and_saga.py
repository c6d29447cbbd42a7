"""OMS commands on Kafka, the OrderSubmitted saga (duplicates, shortages -> backorders), the hold
that never commits (it expires), and ItemSubstituted."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

import asyncpg
import pytest
import pytest_asyncio

from fulfillment.adapters.inventory_client import HttpInventory
from fulfillment.config import Settings
from fulfillment.service_layer.create import create_fulfillment_orders
from fulfillment.service_layer.ports import PoolDatabase
from fulfillment.service_layer.rules import rules_from
from shared_contracts import topics
from shared_contracts.events import ItemSubstituted
from shared_contracts.merchandising import FulfillmentOrder
from shared_http.service_client import service_client
from shared_messaging.testing import read_records, wait_until
from shared_testing.services import publish_event

from .conftest import Stack
from .world import World, assert_invariant, dead_lettered, order_row, send_command, submitted


@pytest_asyncio.fixture(loop_scope="session")
async def world(stack: Stack) -> World:
    built = World(stack)
    await built.build({"drill": 10, "bulb": 3})
    return built


async def test_kafka_create_gives_the_http_result_and_carries_the_transaction_id(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    order = world.order("k", [("drill", 3)], source="WH")
    transaction_id = f"tx-{uuid.uuid4().hex}"
    await send_command(kafka_bootstrap, "FulfillmentOrderCreateRequested", {"items": [order]}, transaction_id)
    await wait_until(lambda: order_row(stack.pool, order["customerOrderNo"]), seconds=20, message="created")
    records = await read_records(kafka_bootstrap, topics.FULFILLMENT_ORDERS, count=10_000, seconds=3)
    mine = [r for r in records if dict(r.headers).get("x-transaction-id") == transaction_id.encode()]
    assert len(mine) == 1
    assert json.loads(mine[0].value)["confirmationType"] == "C"
    assert await world.reserved("drill", world.virtual_warehouse) == 3
    await assert_invariant(stack.inventory_pool, world.items)


async def test_an_invalid_kafka_command_goes_to_the_dlq(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    transaction_id = f"tx-{uuid.uuid4().hex}"
    bad = world.order("dlq", [("drill", 1)], fulfillLocation=world.franchise)
    await send_command(kafka_bootstrap, "FulfillmentOrderCreateRequested", {"items": [bad]}, transaction_id)

    await wait_until(
        lambda: dead_lettered(kafka_bootstrap, topics.OMS_FULFILLMENT_ORDERS, transaction_id),
        seconds=20,
        message="dead-lettered",
    )
    assert await order_row(stack.pool, bad["customerOrderNo"]) == []


async def test_a_duplicated_order_submitted_creates_one_fulfillment_order(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    item = await world.at_saga_warehouse("drill", 10)
    event = submitted([(item, 4)])
    await publish_event(kafka_bootstrap, event)
    await publish_event(kafka_bootstrap, event)
    rows = await wait_until(lambda: order_row(stack.pool, event.order_id), seconds=20, message="saga created")
    assert rows[0]["confirmation_type"] == "C"
    assert rows[0]["consumer_delivery_date"] < event.sub_orders[0].appointment.start_date.date()
    await assert_invariant(stack.inventory_pool, [item])
    records = await read_records(kafka_bootstrap, topics.FULFILLMENT_ORDERS, count=10_000, seconds=3)
    created = [r for r in records if r.key == event.order_id.encode()]
    assert len(created) == 1
    assert len(await order_row(stack.pool, event.order_id)) == 1
    reserved = await stack.inventory_pool.fetchval(
        "SELECT customer_reserved FROM stock WHERE item = $1 AND location = $2",
        item,
        stack.saga.virtual_warehouse,
    )
    assert reserved == 4


async def test_a_distributor_order_costs_one_lookup_and_one_hold_call(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    """Latency: the saga asks inventory once for the foundation data (statuses at the shipping
    virtual warehouse included) and once to hold the sub-order's lines."""
    item = await world.at_saga_warehouse("drill", 5)
    before = stack.switch.calls.copy()
    event = submitted([(item, 1)])
    await publish_event(kafka_bootstrap, event)
    await wait_until(lambda: order_row(stack.pool, event.order_id), seconds=20, message="saga created")
    calls = stack.switch.calls - before
    assert calls == {"/internal/v1/foundation/lookup": 1, "/internal/v1/reservations": 1}


async def test_a_shortage_becomes_a_backorder(stack: Stack, world: World, kafka_bootstrap: str) -> None:
    item = await world.at_saga_warehouse("bulb", 3)
    event = submitted([(item, 5)])
    await publish_event(kafka_bootstrap, event)
    rows = await wait_until(lambda: order_row(stack.pool, event.order_id), seconds=20, message="saga created")
    assert rows[0]["confirmation_type"] == "P"

    async def backorder() -> Decimal:
        value = await stack.inventory_pool.fetchval(
            "SELECT backorder FROM stock WHERE item = $1 AND location = $2",
            item,
            stack.saga.virtual_warehouse,
        )
        return Decimal(value or 0)

    assert await wait_until(backorder, seconds=10, message="backorder") == 2
    await assert_invariant(stack.inventory_pool, [item])


async def test_a_hold_whose_commit_never_happens_expires(
    stack: Stack, world: World, service_db_urls: dict[str, str]
) -> None:
    """The process dies between the inventory hold and the commit: simulated by a database whose
    commit never comes; with a 1 s hold, inventory's sweeper gives the stock back."""

    class DiesBeforeCommit(PoolDatabase):
        @asynccontextmanager
        async def writing(self) -> AsyncIterator[asyncpg.Connection]:
            raise SystemExit("killed between hold and commit")
            yield  # pragma: no cover

    settings = Settings(
        database_url=service_db_urls["fulfillment"], hold_seconds=1, inventory_url="http://inventory"
    )
    client = service_client("http://inventory", transport=stack.inventory_transport)
    try:
        order = FulfillmentOrder.model_validate(world.order("crash", [("drill", 6)]))
        with pytest.raises(SystemExit):
            await create_fulfillment_orders(
                DiesBeforeCommit(stack.pool),
                HttpInventory(client),
                [order],
                rules_from(settings),
                trace_id=None,
                transaction_id=None,
            )
    finally:
        await client.aclose()
    assert await world.reserved("drill", world.store) == 6
    await wait_until(lambda: _released(world), seconds=15, message="expired hold released")
    assert await order_row(stack.pool, order.customer_order_no) == []
    await assert_invariant(stack.inventory_pool, world.items)


async def _released(world: World) -> bool:
    return await world.reserved("drill", world.store) == 0


async def test_item_substituted_cancels_the_original_and_adds_the_substitute(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    order = world.order("sub", [("drill", 4)])
    response = await stack.client.post(
        "/MerchIntegrations/services/customerOrders/fulfillmentOrder/create",
        json={"items": [order]},
        headers={"x-client-id": "oms", "x-roles": "merchandising", "x-trace-id": "t"},
    )
    assert response.status_code == 200
    event = ItemSubstituted(
        customer_order_no=order["customerOrderNo"],
        fulfill_order_no=order["fulfillOrderNo"],
        location=world.store,
        item=world.item("drill"),
        quantity=Decimal(1),
        cancelled_quantity=Decimal(3),
        uom="EA",
        item_line_no=1,
        substitutes=[
            {
                "substituteItem": world.item("bulb"),
                "substituteItemQuantity": 3,
                "substituteItemQuantityUom": "EA",
            }
        ],
    )
    await publish_event(kafka_bootstrap, event, source_service="inventory")

    async def lines() -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await stack.pool.fetch(
            "SELECT item, item_line_no, confirmed_quantity, cancelled_quantity, substitute_for_line_id FROM "
            "fulfillment_order_lines l JOIN fulfillment_orders o USING (fulfillment_order_id) "
            "WHERE o.customer_order_no = $1 ORDER BY line_id",
            order["customerOrderNo"],
        )
        return rows if len(rows) == 2 else []

    original, substitute = await wait_until(lines, seconds=20, message="substitution applied")
    assert original["cancelled_quantity"] == 3
    assert (substitute["item"], substitute["item_line_no"], substitute["confirmed_quantity"]) == (
        world.item("bulb"),
        1,
        3,
    )
    assert substitute["substitute_for_line_id"] is not None
