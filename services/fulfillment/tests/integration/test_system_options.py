"""System options: `OMS_IND = N` (the OMS does not send customer orders: create and cancel are
refused, the saga still runs) and `PERSIST_CUSTOMER_DATA_IND = N` (no personal customer data in
any table of fulfillment's schema, nor in the events it publishes)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from fulfillment.adapters.inventory_client import HttpInventory
from fulfillment.config import Settings
from fulfillment.service_layer.oms_commands import CreateRequestedHandler
from fulfillment.service_layer.rules import rules_from
from fulfillment.service_layer.saga import OrderSubmittedHandler
from shared_contracts.events import FulfillmentOrderCreateRequested, OrderSubmitted
from shared_contracts.messages import meta_for
from shared_http.service_client import service_client
from shared_messaging import PermanentError
from shared_messaging.testing import wait_until

from .conftest import Stack
from .world import World, assert_invariant, create, fulfillment_http, merch, order_row, published, submitted


@pytest_asyncio.fixture(loop_scope="session")
async def world(stack: Stack) -> World:
    built = World(stack)
    await built.build({"drill": 10})
    return built


def customer_details(marker: str) -> dict[str, Any]:
    """The specification's customer record, every personal value carrying `marker`."""
    return {
        "customerNo": marker[:14],
        "deliverFirstName": f"First{marker}",
        "deliverLastName": f"Last{marker}",
        "deliverAdd1": f"1 {marker} Street",
        "deliverCity": f"City{marker}",
        "deliverPhone": "1800800800",
        "deliverEmail": f"{marker}@example.com",
        "billFirstName": f"Bill{marker}",
        "billLastName": f"Payer{marker}",
        "billAdd1": f"2 {marker} Road",
        "billEmail": f"bill{marker}@example.com",
    }


def saga_settings(stack: Stack, **options: str) -> Settings:
    return Settings(
        inventory_url="http://inventory",
        saga_source_location_type="WH",
        saga_source_location=stack.saga.warehouse,
        saga_fulfill_location=stack.saga.store,
        saga_fulfill_location_type="S",
        **options,
    )


async def rows_mentioning(pool: asyncpg.Pool, marker: str) -> list[str]:
    """Every table of fulfillment's schema with a row whose text contains `marker`."""
    tables = await pool.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    found = []
    for table in tables:
        name = await pool.fetchval("SELECT quote_ident($1)", table["table_name"])
        if await pool.fetchval(f"SELECT count(*) FROM {name} t WHERE t::text LIKE $1", f"%{marker}%"):
            found.append(table["table_name"])
    return found


@asynccontextmanager
async def inventory(stack: Stack) -> AsyncIterator[HttpInventory]:
    client = service_client("http://inventory", transport=stack.inventory_transport)
    try:
        yield HttpInventory(client)
    finally:
        await client.aclose()


async def test_oms_ind_n_refuses_create_and_cancel(stack: Stack, world: World) -> None:
    order = world.order("nooms", [("drill", 1)])
    async with fulfillment_http(stack, oms_ind="N") as client:
        created = await create(client, order)
        cancelled = await merch(
            client,
            "PUT",
            "fulfillmentOrder/cancel",
            {
                "items": [
                    {
                        "customerOrderNo": order["customerOrderNo"],
                        "fulfillOrderNo": order["fulfillOrderNo"],
                        "fulfillLocation": world.store,
                        "details": [
                            {"item": world.item("drill"), "cancelQuantityInSuom": 1, "itemLineNo": 1}
                        ],
                    }
                ]
            },
        )
    for response in (created, cancelled):
        assert response.status_code == 400
        body = response.json()
        assert (body["code"], body["category"]) == ("OMS_DISABLED", "BUSINESS")
        assert body["businessError"]
    assert await order_row(stack.pool, order["customerOrderNo"]) == []
    assert await world.reserved("drill", world.store) == 0


async def test_oms_ind_n_sends_kafka_requests_to_the_dlq(stack: Stack, world: World) -> None:
    order = world.order("nooms-kafka", [("drill", 1)])
    event = FulfillmentOrderCreateRequested.model_validate({"items": [order]})
    async with inventory(stack) as client:
        handler = CreateRequestedHandler(client, rules_from(saga_settings(stack, oms_ind="N")))
        async with stack.pool.acquire() as conn, conn.transaction():
            with pytest.raises(PermanentError) as refused:
                await handler(conn, event, meta_for(event, "tests"))
    assert refused.value.code == "OMS_DISABLED"
    assert await order_row(stack.pool, order["customerOrderNo"]) == []


async def test_oms_ind_n_still_runs_the_saga(stack: Stack, world: World, kafka_bootstrap: str) -> None:
    item = await world.at_saga_warehouse("drill", 5)
    event = submitted([(item, 2)])
    await run_saga(stack, saga_settings(stack, oms_ind="N"), event)
    assert (await order_row(stack.pool, event.order_id))[0]["confirmation_type"] == "C"
    assert len(await published(kafka_bootstrap, event.order_id, seconds=5)) == 1
    await assert_invariant(stack.inventory_pool, [item])


async def run_saga(stack: Stack, settings: Settings, event: OrderSubmitted) -> None:
    """The OrderSubmitted handler with these settings, in a transaction as the consumer runs it."""
    async with inventory(stack) as client:
        handler = OrderSubmittedHandler(client, rules_from(settings))
        async with stack.pool.acquire() as conn, conn.transaction():
            await handler(conn, event, meta_for(event, "tests"))


@pytest.mark.parametrize(("persist", "kept"), [("N", False), ("Y", True)])
async def test_customer_details_of_an_oms_order_are_kept_only_with_persist_customer_data(
    stack: Stack, world: World, kafka_bootstrap: str, persist: str, kept: bool
) -> None:
    marker = f"PII{uuid.uuid4().hex[:10]}"
    order = world.order(f"pii-{persist}", [("drill", 1)], customerDetails=customer_details(marker))
    async with fulfillment_http(stack, persist_customer_data_ind=persist) as client:
        response = await create(client, order)
    assert response.status_code == 200, response.text
    row = (await order_row(stack.pool, order["customerOrderNo"]))[0]
    assert (row["customer_details"] is not None) is kept
    assert bool(await rows_mentioning(stack.pool, marker)) is kept
    events = await wait_until(
        lambda: published(kafka_bootstrap, order["customerOrderNo"], seconds=2), seconds=20, message="event"
    )
    assert all(marker.encode() not in event.value for event in events)


@pytest.mark.parametrize(("persist", "kept"), [("N", False), ("Y", True)])
async def test_the_customer_of_a_distributor_order_is_kept_only_with_persist_customer_data(
    stack: Stack, world: World, kafka_bootstrap: str, persist: str, kept: bool
) -> None:
    marker = f"PII{uuid.uuid4().hex[:10]}"
    item = await world.at_saga_warehouse("drill", 5)
    customer = {
        "name": f"Customer {marker}",
        "accountNumber": marker,
        "primaryContact": {"firstName": f"F{marker}", "lastName": "Doe", "email": f"{marker}@example.com"},
    }
    event = submitted([(item, 1)], customer=customer)
    await run_saga(stack, saga_settings(stack, persist_customer_data_ind=persist), event)
    row = (await order_row(stack.pool, event.order_id))[0]
    assert (row["customer_details"] is not None) is kept
    assert bool(await rows_mentioning(stack.pool, marker)) is kept
    events = await wait_until(
        lambda: published(kafka_bootstrap, event.order_id, seconds=2), seconds=20, message="event"
    )
    assert all(marker.encode() not in record.value for record in events)
