"""Writing events: committed ones reach Kafka with their envelope, rolled-back ones never do."""

from __future__ import annotations

import asyncio
import json
import uuid

import asyncpg
import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace

from shared_contracts.envelope import CloudEventMeta
from shared_messaging.outbox import add_event, outbox_row
from shared_messaging.relay import outbox_lag
from shared_messaging.testing import read_records, wait_until
from shared_observability.propagation import set_x_trace_id
from shared_observability.testing import enable_test_tracing


async def test_committed_event_reaches_kafka_with_cloudevents_headers(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=3)
    enable_test_tracing("test-service")
    tracer = trace.get_tracer("test")
    token = otel_context.attach(set_x_trace_id("journey-42"))
    try:
        with tracer.start_as_current_span("request") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
            async with outbox_schema.pool.acquire() as conn, conn.transaction():
                meta = await add_event(
                    conn, ping(aggregate_id="order-1", seq=1), topic=topic, transaction_id="tx-7"
                )
    finally:
        otel_context.detach(token)

    await start_relay()
    records = await read_records(kafka_bootstrap, topic, count=1)

    assert len(records) == 1
    record = records[0]
    assert record.key == b"order-1"
    assert json.loads(record.value) == {"aggregateId": "order-1", "seq": 1}
    headers = dict(record.headers)
    received = CloudEventMeta.from_headers(record.headers)
    assert received.id == meta.id
    assert received.type == "TestPing"
    assert received.source == f"/services/{outbox_schema.name}"
    assert received.subject == "order-1"
    assert received.transaction_id == "tx-7"
    assert headers["content-type"] == b"application/json"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["x-trace-id"] == b"journey-42"
    assert headers["traceparent"].decode().split("-")[1] == trace_id

    async def outbox_empty() -> bool:
        return (await outbox_lag(outbox_schema.pool))[0] == 0

    await wait_until(outbox_empty, message="outbox emptied")


async def test_rolled_back_transaction_publishes_nothing(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    await start_relay()

    class Abort(Exception):
        pass

    async def write_then_fail() -> None:
        async with outbox_schema.pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="rolled-back", seq=1), topic=topic)
            raise Abort

    with pytest.raises(Abort):
        await write_then_fail()
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        await add_event(conn, ping(aggregate_id="committed", seq=2), topic=topic)

    # The committed event is published after the rolled-back one would have been: if the first had
    # left anything behind, it would be on the topic before (or with) the second.
    records = await read_records(kafka_bootstrap, topic, count=1, settle=0.3)
    assert [record.key for record in records] == [b"committed"]
    assert await outbox_schema.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_add_event_refuses_to_run_outside_a_transaction(outbox_schema, ping):
    async with outbox_schema.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            await add_event(conn, ping(aggregate_id="a", seq=1), topic="t")
    assert await outbox_schema.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_a_commit_wakes_the_active_relay_of_its_process_without_waiting_for_a_poll(
    outbox_schema, event_topic, start_relay, ping, settings, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    # Polling only every 10 minutes: the event can reach Kafka within the bounded read below only
    # if the commit woke the relay.
    relay = await start_relay(settings.model_copy(update={"outbox_poll_interval_seconds": 600.0}))
    await wait_until(lambda: relay.is_active, seconds=10, message="the relay to take the lock")
    await asyncio.sleep(0.2)  # its first read found nothing: it now waits for a wake-up
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        await add_event(conn, ping(aggregate_id="woken", seq=1), topic=topic)

    records = await read_records(kafka_bootstrap, topic, count=1, seconds=10)
    assert [record.key for record in records] == [b"woken"]


async def test_a_standby_relay_notifies_the_active_relay_of_another_process_on_commit_only(
    outbox_schema, start_relay, ping, settings
):
    notified: asyncio.Queue[str] = asyncio.Queue()
    channel_name = f"outbox_{outbox_schema.name}"

    def on_notify(_conn: object, _pid: int, channel: str, _payload: str) -> None:
        notified.put_nowait(channel)

    # "Another process's relay": a session holding the relay lock and listening on the channel.
    other = await outbox_schema.pool.acquire()
    try:
        assert await other.fetchval(
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", f"outbox-relay:{outbox_schema.name}"
        )
        await other.add_listener(channel_name, on_notify)
        standby = await start_relay()
        await asyncio.sleep(0.3)  # it tried the lock and stands by
        assert not standby.is_active
        async with outbox_schema.pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await add_event(conn, ping(aggregate_id="a", seq=1), topic="t")
            await tx.rollback()
            await asyncio.sleep(0.3)
            assert notified.empty()
            async with conn.transaction():
                await add_event(conn, ping(aggregate_id="b", seq=1), topic="t")
                await add_event(conn, ping(aggregate_id="b", seq=2), topic="t")
        channel = await asyncio.wait_for(notified.get(), 5)
        assert channel == channel_name
        await asyncio.sleep(0.3)
        assert notified.empty()  # one transaction, one notification
    finally:
        await other.remove_listener(channel_name, on_notify)
        await outbox_schema.pool.release(other)  # the pool's reset releases the lock
    rows = await outbox_schema.pool.fetch("SELECT key, event_id, attempts FROM outbox ORDER BY id")
    assert [row["key"] for row in rows] == ["b", "b"]
    assert isinstance(rows[0]["event_id"], uuid.UUID)


async def test_the_source_service_is_asked_of_a_connection_once(outbox_schema, ping):
    """`ce_source` defaults to the connection's schema; asking for it costs a round trip, so it
    is asked once per physical connection, not once per event."""
    asked: list[str] = []
    sources: list[str] = []
    async with outbox_schema.pool.acquire() as conn:
        conn.add_query_logger(lambda query: asked.append(query.query))
        for seq in range(3):
            async with conn.transaction():
                meta = await add_event(conn, ping(aggregate_id="order-9", seq=seq), topic="not-published")
            sources.append(meta.source)
    assert sources == [f"/services/{outbox_schema.name}"] * 3
    assert asked.count("SELECT current_schema()") <= 1
    assert sum("INSERT INTO outbox" in query for query in asked) == 3


async def test_an_outbox_row_in_a_statement_of_its_own_is_atomic_and_wakes_the_relay(
    outbox_schema, event_topic, start_relay, ping, settings, kafka_bootstrap
):
    """`outbox_row`: the state change and its event in one data-modifying CTE, no BEGIN / COMMIT."""
    topic = await event_topic(partitions=1)
    pool = outbox_schema.pool
    await pool.execute("CREATE TABLE widgets (name text PRIMARY KEY)")
    relay = await start_relay(settings.model_copy(update={"outbox_poll_interval_seconds": 600.0}))
    await wait_until(lambda: relay.is_active, seconds=10, message="the relay to take the lock")
    await asyncio.sleep(0.2)  # its first read found nothing: it now waits for a wake-up

    async def create(name: str, seq: int) -> None:
        async with pool.acquire() as conn:
            row = await outbox_row(conn, ping(aggregate_id=name, seq=seq), topic=topic)
            await conn.execute(
                f"WITH new_event AS ({row.insert(2)}) INSERT INTO widgets (name) VALUES ($1)",
                name,
                *row.values,
            )
        row.committed()

    await create("w1", 1)
    with pytest.raises(asyncpg.UniqueViolationError):
        await create("w1", 2)  # the widget exists: its event is not written either

    records = await read_records(kafka_bootstrap, topic, count=1, seconds=10, settle=0.3)
    assert [(record.key, json.loads(record.value)["seq"]) for record in records] == [(b"w1", 1)]
    assert CloudEventMeta.from_headers(records[0].headers).source == f"/services/{outbox_schema.name}"
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0
