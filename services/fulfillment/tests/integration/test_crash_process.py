"""Fulfillment as a real process killed (SIGKILL) between the inventory hold and its commit.

The process is a second, isolated fulfillment instance: its own schema and consumer group
(`SERVICE_NAME=crash_fulfillment`, offsets set to the topics' ends before it starts, so it takes
nothing away from the in-process stack), calling the stack's inventory over a real socket.
`TEST_FAULT_AFTER_HOLD` makes it kill itself right after the hold call returned.

Driven over HTTP (the OMS retries after the failed call), and by an OrderSubmitted whose offset
the killed process never committed (redelivered to the restarted one). The stack's fulfillment
also consumes that OrderSubmitted (another group); the item is discontinued at the stack's saga
store, so it refuses the order (DLQ) before holding anything and only the process's saga holds.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
import uvicorn
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared_contracts import topics
from shared_contracts.topics import DEFAULT_PARTITIONS
from shared_db.provision import provision
from shared_messaging.testing import wait_until
from shared_testing.platform import Platform, free_port, running_platform
from shared_testing.services import publish_event

from .conftest import Stack, load
from .world import World, assert_invariant, create, published, submitted

NAME = "crash_fulfillment"
CONSUMED = (topics.OMS_FULFILLMENT_ORDERS, topics.ORDERS, topics.INVENTORY_STOCK)
HOLD_SECONDS = 2


@pytest_asyncio.fixture(loop_scope="session")
async def world(stack: Stack) -> World:
    built = World(stack)
    await built.build({"drill": 10})
    return built


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The stack's in-process inventory on a real port, for a fulfillment process to call."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    try:
        await wait_until(lambda: server.started, seconds=15, message="inventory served")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


async def start_group_at_the_end(bootstrap: str, group: str) -> None:
    """The isolated group starts with what is published from now on, not the topics' history."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await asyncio.wait_for(consumer.start(), 15)
    try:
        partitions = [
            TopicPartition(topic, partition) for topic in CONSUMED for partition in range(DEFAULT_PARTITIONS)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        ends = {tp: OffsetAndMetadata(await consumer.position(tp), "") for tp in partitions}
        await asyncio.wait_for(consumer.commit(ends), 15)
    finally:
        await asyncio.wait_for(consumer.stop(), 15)


@asynccontextmanager
async def fulfillment_process(
    urls: Mapping[str, str], bootstrap: str, work_dir: Path, env: Mapping[str, str]
) -> AsyncIterator[Platform]:
    async with running_platform(
        database_urls=urls,
        kafka_bootstrap=bootstrap,
        work_dir=work_dir,
        services=("fulfillment",),
        extra_env={"SERVICE_NAME": NAME, "HOLD_SECONDS": str(HOLD_SECONDS), "LOG_LEVEL": "WARNING", **env},
    ) as platform:
        yield platform


async def post_create(url: str, order: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=15) as client:
        return await create(client, order)


async def held_lines(stack: Stack, customer_order_no: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await stack.inventory_pool.fetch(
        "SELECT l.status, l.quantity FROM reservations r JOIN reservation_lines l USING (reservation_id) "
        "WHERE r.customer_order_no = $1",
        customer_order_no,
    )
    return rows


async def test_a_process_killed_between_hold_and_commit_leaves_no_reservation_and_recovers_once(
    stack: Stack, world: World, pg_admin_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    urls = await provision(pg_admin_url, ("fulfillment",), prefix="crash_")
    await start_group_at_the_end(kafka_bootstrap, NAME)
    order = world.order(f"kill-{uuid.uuid4().hex[:6]}", [("drill", 6)])
    async with served(stack.inventory_app) as inventory_url:
        env = {"INVENTORY_URL": inventory_url}
        async with fulfillment_process(
            urls, kafka_bootstrap, tmp_path / "first", env | {"TEST_FAULT_AFTER_HOLD": "true"}
        ) as platform:
            with pytest.raises(httpx.TransportError):
                await post_create(platform.urls["fulfillment"], order)
            process = platform.processes["fulfillment"]
            assert await asyncio.to_thread(process.wait, 30) == -signal.SIGKILL

        assert await held_lines(stack, order["customerOrderNo"]), (
            "the process died after the hold, not before"
        )
        await wait_until(
            lambda: _released_at(world, world.store), seconds=30, message="expired hold released"
        )
        await assert_invariant(stack.inventory_pool, world.items)
        own = await asyncpg.connect(urls["fulfillment"])
        try:
            assert await _orders(own, order["customerOrderNo"]) == 0

            async with fulfillment_process(urls, kafka_bootstrap, tmp_path / "second", env) as platform:
                first = await post_create(platform.urls["fulfillment"], order)  # the OMS retries
                again = await post_create(platform.urls["fulfillment"], order)
                assert first.status_code == again.status_code == 200, first.text
                assert first.json()["items"][0]["confirmationType"] == "R"
                assert again.json() == first.json()
                events = await wait_until(
                    lambda: published(kafka_bootstrap, order["customerOrderNo"], seconds=2),
                    seconds=30,
                    message="FulfillmentOrderCreated published",
                )
            assert len(events) == 1
            assert await _orders(own, order["customerOrderNo"]) == 1
        finally:
            await own.close()
    assert await world.reserved("drill", world.store) == 6
    await assert_invariant(stack.inventory_pool, world.items)


async def _orders(conn: asyncpg.Connection, customer_order_no: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM fulfillment_orders WHERE customer_order_no = $1", customer_order_no
    )
    return count


async def test_a_saga_killed_between_hold_and_commit_is_redelivered_and_confirms_once(
    stack: Stack, world: World, pg_admin_url: str, kafka_bootstrap: str, tmp_path: Path
) -> None:
    urls = await provision(pg_admin_url, ("fulfillment",), prefix="crash_")
    await start_group_at_the_end(kafka_bootstrap, NAME)
    item = world.item("drill")
    await load(stack.inventory_pool, stock=[{"item": item, "location": stack.saga.store, "status": "C"}])
    event = submitted([(item, 4)])
    saga = {
        "SAGA_SOURCE_LOCATION_TYPE": "WH",
        "SAGA_SOURCE_LOCATION": str(world.warehouse),
        "SAGA_FULFILL_LOCATION": str(world.store),
        "SAGA_FULFILL_LOCATION_TYPE": "S",
    }
    async with served(stack.inventory_app) as inventory_url:
        env = saga | {"INVENTORY_URL": inventory_url}
        async with fulfillment_process(
            urls, kafka_bootstrap, tmp_path / "first", env | {"TEST_FAULT_AFTER_HOLD": "true"}
        ) as platform:
            await publish_event(kafka_bootstrap, event)
            process = platform.processes["fulfillment"]
            assert await asyncio.to_thread(process.wait, 60) == -signal.SIGKILL

        assert await held_lines(stack, event.order_id), "the process died after the hold, not before"
        await wait_until(lambda: _released_at(world, world.virtual_warehouse), seconds=30, message="released")
        await assert_invariant(stack.inventory_pool, world.items)
        own = await asyncpg.connect(urls["fulfillment"])
        try:
            assert await _orders(own, event.order_id) == 0
            async with fulfillment_process(urls, kafka_bootstrap, tmp_path / "second", env):
                await wait_until(lambda: _orders(own, event.order_id), seconds=60, message="redelivered")
                events = await wait_until(
                    lambda: published(kafka_bootstrap, event.order_id, seconds=2),
                    seconds=30,
                    message="FulfillmentOrderCreated published",
                )
            assert await _orders(own, event.order_id) == 1
            assert (
                await own.fetchval(
                    "SELECT confirmation_type FROM fulfillment_orders WHERE customer_order_no = $1",
                    event.order_id,
                )
                == "C"
            )
        finally:
            await own.close()
    assert len(events) == 1
    assert await world.reserved("drill", world.virtual_warehouse) == 4
    await assert_invariant(stack.inventory_pool, world.items)


async def _released_at(world: World, location: int) -> bool:
    return await world.reserved("drill", location) == 0
