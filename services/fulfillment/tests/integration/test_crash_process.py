"""Fulfillment as a real process killed (SIGKILL) between the inventory hold and its commit.

The process is a second, isolated fulfillment instance: its own schema and consumer group
(`SERVICE_NAME=crash_fulfillment`, offsets set to the topics' ends before it starts, so it takes
nothing away from the in-process stack), calling the stack's inventory over a real socket.
`TEST_FAULT_AFTER_HOLD` makes it kill itself right after the hold call returned.
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

from .conftest import Stack
from .world import World, assert_invariant, create, published

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


async def held_lines(stack: Stack, order: dict[str, Any]) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await stack.inventory_pool.fetch(
        "SELECT l.status, l.quantity FROM reservations r JOIN reservation_lines l USING (reservation_id) "
        "WHERE r.customer_order_no = $1",
        order["customerOrderNo"],
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

        assert await held_lines(stack, order), "the process died after the hold, not before"
        await wait_until(lambda: _released(world), seconds=30, message="expired hold released")
        await assert_invariant(stack.inventory_pool, world.items)
        own = await asyncpg.connect(urls["fulfillment"])
        try:
            assert await _orders(own, order) == 0

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
            assert await _orders(own, order) == 1
        finally:
            await own.close()
    assert await world.reserved("drill", world.store) == 6
    await assert_invariant(stack.inventory_pool, world.items)


async def _released(world: World) -> bool:
    return await world.reserved("drill", world.store) == 0


async def _orders(conn: asyncpg.Connection, order: dict[str, Any]) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM fulfillment_orders WHERE customer_order_no = $1", order["customerOrderNo"]
    )
    return count
