"""Kafka down: publishing fails within its bound, nothing is lost, delivery resumes afterwards.

Uses a dedicated local broker ("faults" on 127.0.0.1:29092) that this module starts, stops and
restarts, so the shared test broker is never disturbed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiokafka.errors import KafkaError

from shared_messaging.broker import (
    KafkaUnavailableError,
    create_producer,
    send_and_confirm,
    start_producer,
    stop_producer,
)
from shared_messaging.outbox import add_event
from shared_messaging.testing import read_records, wait_until
from shared_messaging.topics import ensure_topics
from shared_observability.metrics import REGISTRY

KAFKA_SH = Path(__file__).resolve().parents[3] / "deploy" / "local" / "kafka.sh"
FAULTS_PORT = 29092
FAULTS = f"127.0.0.1:{FAULTS_PORT}"


async def kafka_sh(*args: str) -> None:
    process = await asyncio.create_subprocess_exec(
        str(KAFKA_SH), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), 180)
    if process.returncode != 0:
        raise RuntimeError(f"kafka.sh {' '.join(args)} failed:\n{output.decode()}")


def lag_gauge(service: str) -> float | None:
    return REGISTRY.get_sample_value("outbox_lag_events", {"service": service})


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def faults_broker() -> AsyncIterator[str]:
    await kafka_sh("start", "faults", str(FAULTS_PORT))
    try:
        yield FAULTS
    finally:
        await kafka_sh("stop", "faults")


@pytest_asyncio.fixture(loop_scope="session")
async def faults_up(faults_broker: str) -> str:
    """The dedicated broker, running at the start of each test (a failed test may leave it down)."""
    await kafka_sh("start", "faults", str(FAULTS_PORT))
    return faults_broker


@pytest.fixture
def down_settings(settings):
    return settings.model_copy(update={"kafka_bootstrap_servers": FAULTS})


async def test_relay_survives_kafka_down_and_delivers_when_it_returns(
    faults_up, outbox_schema, start_relay, down_settings, ping
):
    async def scenario() -> None:
        topic = f"faults.{outbox_schema.name}"
        await ensure_topics(faults_up, [topic], 1)
        service = f"faults-{outbox_schema.name}"
        relay = await start_relay(relay_settings=down_settings, service_name=service)
        async with outbox_schema.pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="k", seq=1), topic=topic)
        assert len(await read_records(faults_up, topic, count=1)) == 1

        await kafka_sh("stop", "faults")
        loop = asyncio.get_running_loop()
        written_at = loop.time()
        async with outbox_schema.pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="k", seq=2), topic=topic)

        async def failed_attempt() -> bool:
            return bool(await outbox_schema.pool.fetchval("SELECT attempts > 0 FROM outbox WHERE key = 'k'"))

        await wait_until(failed_attempt, seconds=30, message="a failed publication recorded")
        bound = down_settings.kafka_send_timeout_seconds + down_settings.kafka_start_timeout_seconds
        assert loop.time() - written_at < bound + 2  # failed within its bound: never hung
        row = await outbox_schema.pool.fetchrow("SELECT payload, attempts, last_error FROM outbox")
        assert row["payload"]["seq"] == 2
        assert row["last_error"]
        assert relay.task is not None
        assert not relay.task.done()
        await wait_until(
            lambda: lag_gauge(service) == 1, seconds=10, message="outbox lag gauge shows the event"
        )

        await kafka_sh("start", "faults", str(FAULTS_PORT))
        records = await read_records(faults_up, topic, count=2, seconds=60)
        # At least once: an attempt cut off by the outage may have landed too (the inbox absorbs it).
        delivered = list(dict.fromkeys(json.loads(r.value)["seq"] for r in records))
        assert delivered == [1, 2]

        async def outbox_empty() -> bool:
            return await outbox_schema.pool.fetchval("SELECT count(*) FROM outbox") == 0

        await wait_until(outbox_empty, seconds=30, message="outbox emptied")
        await wait_until(lambda: lag_gauge(service) == 0, seconds=10, message="outbox lag gauge back to 0")

    await asyncio.wait_for(scenario(), 240)


async def test_a_producer_send_with_the_broker_down_fails_within_its_bound(faults_up, down_settings):
    async def scenario() -> None:
        topic = "faults.producer"
        await ensure_topics(faults_up, [topic], 1)
        producer = create_producer(down_settings)
        await start_producer(producer, down_settings)
        try:
            await send_and_confirm(producer, down_settings, topic, b"up")
            await kafka_sh("stop", "faults")
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises((KafkaUnavailableError, KafkaError)) as failure:
                await send_and_confirm(producer, down_settings, topic, b"down")
            elapsed = loop.time() - started
            assert elapsed <= down_settings.kafka_send_timeout_seconds + 1, failure.value
        finally:
            await stop_producer(producer, down_settings)

        started = loop.time()
        with pytest.raises((KafkaUnavailableError, KafkaError)):
            await start_producer(create_producer(down_settings), down_settings)
        assert (
            loop.time() - started
            <= down_settings.kafka_start_timeout_seconds + down_settings.kafka_stop_timeout_seconds + 1
        )

    await asyncio.wait_for(scenario(), 240)
