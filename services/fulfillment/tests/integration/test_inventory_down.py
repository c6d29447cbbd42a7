"""Inventory down: HTTP answers 503 UNAVAILABLE at once and creates nothing; a Kafka request or an
OrderSubmitted that arrives meanwhile is retried (never dead-lettered) and applied once inventory
is back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest_asyncio

from shared_contracts import topics
from shared_messaging.testing import wait_until
from shared_testing.platform import free_port
from shared_testing.services import publish_event

from .conftest import Stack
from .world import (
    World,
    assert_invariant,
    create,
    dead_lettered,
    fulfillment_http,
    order_row,
    published,
    send_command,
    submitted,
)

STANDARD_ERROR_KEYS = {"status", "code", "category", "message", "traceId"}


@pytest_asyncio.fixture(loop_scope="session")
async def world(stack: Stack) -> AsyncIterator[World]:
    built = World(stack)
    await built.build({"drill": 10})
    yield built
    stack.switch.down = False


async def outbox_rows(stack: Stack, key: str) -> int:
    count: int = await stack.pool.fetchval("SELECT count(*) FROM outbox WHERE key = $1", key)
    return count


async def test_http_create_answers_503_when_inventory_is_unreachable(stack: Stack, world: World) -> None:
    """A real client towards a port nobody listens on: refused at once, the standard error body."""
    order = world.order("gone", [("drill", 2)])
    unreachable = f"http://127.0.0.1:{free_port()}"
    async with fulfillment_http(stack, network=True, inventory_url=unreachable) as client:
        response = await asyncio.wait_for(create(client, order), 15)
    assert response.status_code == 503
    body = response.json()
    assert body.keys() >= STANDARD_ERROR_KEYS
    assert (body["status"], body["code"]) == ("ERROR", "UNAVAILABLE")
    assert await order_row(stack.pool, order["customerOrderNo"]) == []
    assert await world.reserved("drill", world.store) == 0


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and never answers (a hung inventory)."""
    stop = asyncio.Event()

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await stop.wait()
        writer.close()

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.close()
        await server.wait_closed()


async def test_http_create_answers_503_when_inventory_hangs(stack: Stack, world: World) -> None:
    """A hung inventory is given up after INVENTORY_TIMEOUT_SECONDS, not waited for."""
    order = world.order("hung", [("drill", 2)])
    async with (
        silent_server() as hung,
        fulfillment_http(stack, network=True, inventory_url=hung, inventory_timeout_seconds=1) as client,
    ):
        response = await asyncio.wait_for(create(client, order), 15)
    assert response.status_code == 503
    assert response.json()["code"] == "UNAVAILABLE"
    assert await order_row(stack.pool, order["customerOrderNo"]) == []


async def test_inventory_down_at_the_hold_creates_and_holds_nothing(stack: Stack, world: World) -> None:
    """Validated (the lookup answered), then the hold fails: 503 and no order, line or event."""
    orders = [world.order(f"half{n}", [("drill", 1)]) for n in range(3)]
    stack.switch.down_paths = ("/internal/v1/reservations",)
    stack.switch.down = True
    try:
        response = await asyncio.wait_for(create(stack.client, *orders), 15)
    finally:
        stack.switch.down = False
        stack.switch.down_paths = ("/",)
    assert response.status_code == 503
    assert response.json()["code"] == "UNAVAILABLE"
    for order in orders:
        assert await order_row(stack.pool, order["customerOrderNo"]) == []
        assert await outbox_rows(stack, order["customerOrderNo"]) == 0
    assert await world.reserved("drill", world.store) == 0
    await assert_invariant(stack.inventory_pool, world.items)


async def _refused_again(stack: Stack, times: int) -> None:
    """Inventory refused the consumer's calls `times` more times: the message is being retried."""
    before = stack.switch.refused
    await wait_until(
        lambda: _at_least(stack, before + times), seconds=30, message="retries while inventory is down"
    )


async def _at_least(stack: Stack, count: int) -> bool:
    return stack.switch.refused >= count


async def test_a_kafka_create_request_waits_for_inventory_and_is_applied_once(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    order = world.order("wait", [("drill", 3)], source="WH")
    transaction_id = f"tx-{uuid.uuid4().hex}"
    stack.switch.down = True
    try:
        await send_command(
            kafka_bootstrap, "FulfillmentOrderCreateRequested", {"items": [order]}, transaction_id
        )
        await _refused_again(stack, 3)
        assert await order_row(stack.pool, order["customerOrderNo"]) == []
    finally:
        stack.switch.down = False
    await wait_until(lambda: order_row(stack.pool, order["customerOrderNo"]), seconds=30, message="applied")
    assert not await dead_lettered(kafka_bootstrap, topics.OMS_FULFILLMENT_ORDERS, transaction_id)
    events = await published(kafka_bootstrap, order["customerOrderNo"])
    assert len(events) == 1
    assert dict(events[0].headers)["x-transaction-id"] == transaction_id.encode()
    assert await world.reserved("drill", world.virtual_warehouse) == 3
    await assert_invariant(stack.inventory_pool, world.items)


async def test_an_order_submitted_while_inventory_is_down_is_applied_once_it_is_back(
    stack: Stack, world: World, kafka_bootstrap: str
) -> None:
    item = await world.at_saga_warehouse("drill", 10)
    event = submitted([(item, 2)])
    transaction_id = f"tx-{uuid.uuid4().hex}"
    stack.switch.down = True
    try:
        await publish_event(kafka_bootstrap, event, transaction_id=transaction_id)
        await _refused_again(stack, 3)
        assert await order_row(stack.pool, event.order_id) == []
    finally:
        stack.switch.down = False
    rows = await wait_until(lambda: order_row(stack.pool, event.order_id), seconds=30, message="applied")
    assert rows[0]["confirmation_type"] == "C"
    assert not await dead_lettered(kafka_bootstrap, topics.ORDERS, transaction_id)
    assert len(await published(kafka_bootstrap, event.order_id)) == 1
    await assert_invariant(stack.inventory_pool, [item])
