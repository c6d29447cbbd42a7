"""The outbox relay: per-key order, at-least-once across a crash, one active relay per schema."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from typing import Any

import asyncpg
import pytest

from shared_messaging.outbox import add_event
from shared_messaging.relay import OutboxRelay, RelayCrash, outbox_lag
from shared_messaging.testing import read_records, wait_until
from shared_observability.metrics import REGISTRY


async def write_events(pool, ping, topic: str, keys: list[str], per_key: int, per_tx: int = 50) -> None:
    """`per_key` events for each key, interleaved across keys, `per_tx` events per transaction."""
    plan = [(key, seq) for seq in range(1, per_key + 1) for key in keys]
    for start in range(0, len(plan), per_tx):
        async with pool.acquire() as conn, conn.transaction():
            for key, seq in plan[start : start + per_tx]:
                await add_event(conn, ping(aggregate_id=key, seq=seq), topic=topic)


async def test_per_key_order_holds_across_1000_events_over_keys_and_partitions(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=6)
    keys = [f"order-{n}" for n in range(20)]
    relay = await start_relay()
    # Written while the relay runs, so it publishes many batches as they commit.
    await write_events(outbox_schema.pool, ping, topic, keys, per_key=50)

    records = await read_records(kafka_bootstrap, topic, count=1000, seconds=60)

    assert len(records) == 1000
    sequences: dict[bytes, list[int]] = defaultdict(list)
    partitions: dict[bytes, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        sequences[record.key].append(json.loads(record.value)["seq"])
        partitions[record.key].add(record.partition)
    assert set(sequences) == {key.encode() for key in keys}
    for key, seqs in sequences.items():
        assert seqs == list(range(1, 51)), key
    assert all(len(used) == 1 for used in partitions.values())
    assert len({p for used in partitions.values() for p in used}) > 1  # really spread over partitions
    await wait_until(lambda: relay.published_total == 1000, message="all marked published")


async def test_relay_crash_between_publish_and_mark_republishes_and_inbox_applies_once(
    outbox_schema, event_topic, start_relay, start_consumer, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=3)
    pool = outbox_schema.pool
    await pool.execute("CREATE TABLE applied (event_id uuid PRIMARY KEY, aggregate_id text, seq int)")

    async def crash(ids: list[int]) -> None:
        raise RuntimeError("power cut after publish")

    crashing = await start_relay(after_publish_before_mark=crash)
    await write_events(pool, ping, topic, ["a", "b", "c"], per_key=4)
    with pytest.raises(RelayCrash):
        await asyncio.wait_for(asyncio.shield(crashing.task), 20)
    # Published, but not marked: every row is still in the outbox.
    first_copy = await read_records(kafka_bootstrap, topic, count=12)
    assert len(first_copy) == 12
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 12

    await start_relay()  # the replacement process
    both_copies = await read_records(kafka_bootstrap, topic, count=24)
    assert len(both_copies) == 24
    assert len({dict(r.headers)["ce_id"] for r in both_copies}) == 12

    async def apply(conn: Any, event: Any, meta: Any) -> None:
        await conn.execute(
            "INSERT INTO applied (event_id, aggregate_id, seq) VALUES ($1::text::uuid, $2, $3)",
            meta.id,
            event.aggregate_id,
            event.seq,
        )

    group = "svc-crash-test"
    await start_consumer(topic, group_id=group, handlers={"TestPing": apply}, pool=pool)

    def consumed(outcome: str) -> float:
        labels = {"service": group, "topic": topic, "handler": "TestPing", "outcome": outcome}
        return REGISTRY.get_sample_value("kafka_messages_consumed_total", labels) or 0.0

    await wait_until(lambda: consumed("ok") + consumed("duplicate") >= 24, message="24 records consumed")
    assert consumed("ok") == 12
    assert consumed("duplicate") == 12
    assert await pool.fetchval("SELECT count(*) FROM applied") == 12
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 12


async def test_only_one_of_two_relays_publishes_and_the_other_takes_over(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    first = await start_relay()
    await wait_until(lambda: first.is_active, message="first relay active")
    second = await start_relay()
    await asyncio.sleep(0.5)  # the standby polls the lock every 0.2 s
    assert not second.is_active

    await write_events(outbox_schema.pool, ping, topic, ["k"], per_key=10, per_tx=10)
    records = await read_records(kafka_bootstrap, topic, count=10)
    assert len(records) == 10
    await wait_until(lambda: first.published_total == 10, message="marked by the first relay")
    assert second.published_total == 0

    await first.stop()
    await wait_until(lambda: second.is_active, seconds=5, message="standby took over")
    await write_events(outbox_schema.pool, ping, topic, ["k"], per_key=5, per_tx=5)
    records = await read_records(kafka_bootstrap, topic, count=15)
    assert [json.loads(r.value)["seq"] for r in records] == list(range(1, 11)) + list(range(1, 6))
    await wait_until(lambda: second.published_total == 5, message="marked by the second relay")
    assert first.published_total == 10


async def test_standby_takes_over_when_the_active_relays_session_dies(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    first = await start_relay()
    await wait_until(lambda: first.is_active, message="first relay active")
    second = await start_relay()
    # Kill the lock holder's session from the server side, as a crashed host would lose it.
    await outbox_schema.pool.execute(
        """
        SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
          AND objid = (hashtextextended($1, 0) & 4294967295)::oid
        """,
        f"outbox-relay:{outbox_schema.name}",
    )
    await wait_until(lambda: second.is_active or first.is_active, seconds=10, message="a relay is active")
    await write_events(outbox_schema.pool, ping, topic, ["k"], per_key=3, per_tx=3)
    records = await read_records(kafka_bootstrap, topic, count=3)
    assert [json.loads(r.value)["seq"] for r in records] == [1, 2, 3]
    assert first.is_active != second.is_active


async def test_outbox_lag_reports_pending_events_and_their_age(outbox_schema, ping):
    assert await outbox_lag(outbox_schema.pool) == (0, 0.0)
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        await add_event(conn, ping(aggregate_id="a", seq=1), topic="nowhere")
        await add_event(conn, ping(aggregate_id="a", seq=2), topic="nowhere")
    await outbox_schema.pool.execute("UPDATE outbox SET created_at = now() - interval '30 seconds'")
    pending, age = await outbox_lag(outbox_schema.pool, outbox_schema.name)
    assert pending == 2
    assert 29 < age < 60


class FlakyProducer:
    """Acknowledges every send except those whose value matches `fail`, which fail once."""

    def __init__(self, fail: set[tuple[str, int]]) -> None:
        self.fail = fail
        self.sent: list[tuple[str, int]] = []
        self.starts = 0

    async def start(self) -> None:
        self.starts += 1

    async def stop(self) -> None:
        return None

    async def send(self, topic: str, value: bytes, key: bytes, headers: Any) -> asyncio.Future[None]:
        event = json.loads(value)
        ident = (event["aggregateId"], event["seq"])
        self.sent.append(ident)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if ident in self.fail:
            self.fail.discard(ident)
            future.set_exception(OSError("partition leader unavailable"))
        else:
            future.set_result(None)
        return future


async def test_a_failed_send_holds_back_later_events_of_its_key_only(outbox_schema, settings, ping):
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        for key, seq in [("k", 1), ("k", 2), ("k", 3), ("l", 1), ("l", 2)]:
            await add_event(conn, ping(aggregate_id=key, seq=seq), topic="t")
    producer = FlakyProducer(fail={("k", 2)})
    relay = OutboxRelay(outbox_schema.pool, lambda: producer, "test", outbox_schema.name, settings)  # type: ignore[arg-type,return-value]

    first = await relay.publish_batch()
    assert producer.sent == [("k", 1), ("k", 2), ("k", 3), ("l", 1), ("l", 2)]
    remaining = await outbox_schema.pool.fetch(
        "SELECT key, payload, attempts, last_error FROM outbox ORDER BY id"
    )
    # k:3 reached the producer but stays: k:2 before it failed.
    assert [(r["key"], r["payload"]["seq"], r["attempts"]) for r in remaining] == [("k", 2, 1), ("k", 3, 0)]
    assert "partition leader unavailable" in remaining[0]["last_error"]
    assert len(first.published) == 3
    assert len(first.failed) == 1

    producer.sent.clear()
    await relay.publish_batch()
    assert producer.sent == [("k", 2)]  # alone: k:3 waits until k:2 is through
    await relay.publish_batch()
    assert producer.sent == [("k", 2), ("k", 3)]
    assert await outbox_schema.pool.fetchval("SELECT count(*) FROM outbox") == 0
    assert producer.starts == 2  # replaced after the failed batch


async def test_relay_reconnects_after_all_its_database_sessions_are_killed(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap, caplog
):
    topic = await event_topic(partitions=1)
    application = f"relay-{uuid.uuid4().hex[:8]}"
    relay_pool = await asyncpg.create_pool(
        outbox_schema.admin_url,
        min_size=2,
        max_size=3,
        server_settings={"search_path": outbox_schema.name, "application_name": application},
    )
    relay = await start_relay(pool=relay_pool)
    try:
        await write_events(outbox_schema.pool, ping, topic, ["k"], per_key=1)
        assert len(await read_records(kafka_bootstrap, topic, count=1)) == 1

        killed = await outbox_schema.pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            application,
        )
        assert killed >= 1
        async with outbox_schema.pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="k", seq=2), topic=topic)

        records = await read_records(kafka_bootstrap, topic, count=2)
        seqs = [json.loads(r.value)["seq"] for r in records]
        # At least once: an event published just before its session died is published again.
        assert list(dict.fromkeys(seqs)) == [1, 2]
        await wait_until(lambda: relay.is_active, message="relay active again")
        retries = [
            r for r in caplog.records if r.name == "shared_messaging.relay" and "retrying" in r.getMessage()
        ]
        assert len(retries) <= 5  # backed off, no spinning
    finally:
        await relay.stop()
        await relay_pool.close()


async def test_a_row_committed_late_with_a_lower_id_is_published_in_its_keys_order(
    outbox_schema, event_topic, start_relay, ping, kafka_bootstrap, settings
):
    """The relay reads the next batch while one is in flight; a row whose transaction commits
    after later ids were published must neither be skipped nor overtaken by its key's next row."""
    topic = await event_topic(partitions=3)
    pool = outbox_schema.pool
    await start_relay(settings.model_copy(update={"outbox_batch_size": 5}))
    late = await pool.acquire()
    tx = late.transaction()
    await tx.start()
    await add_event(late, ping(aggregate_id="late", seq=1), topic=topic)  # the lowest id, uncommitted

    async def steady_writes(first: int, count: int) -> None:
        for n in range(first, first + count):
            async with pool.acquire() as conn, conn.transaction():
                await add_event(conn, ping(aggregate_id=f"k{n % 7}", seq=n), topic=topic)

    committed = False
    try:
        writer = asyncio.create_task(steady_writes(0, 150))
        await asyncio.sleep(0.3)  # batches of 5 flowing, pipelined
        await tx.commit()
        committed = True
        async with pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="late", seq=2), topic=topic)
        await writer
    finally:
        if not committed:
            await tx.rollback()
        await pool.release(late)

    records = await read_records(kafka_bootstrap, topic, count=152, seconds=30)
    values = [json.loads(r.value) for r in sorted(records, key=lambda r: (r.partition, r.offset))]
    assert len(values) == 152
    assert [v["seq"] for v in values if v["aggregateId"] == "late"] == [1, 2]


def record_batches(relay: OutboxRelay) -> list[int]:
    """The number of rows of each batch the running `relay` hands to its producer, from now on."""
    sizes: list[int] = []
    send = relay._send

    async def recorded(rows: list[Any]) -> Any:
        sizes.append(len(rows))
        return await send(rows)

    relay._send = recorded  # type: ignore[method-assign]
    return sizes


async def test_commits_during_the_read_interval_go_out_in_one_batch(
    outbox_schema, event_topic, start_relay, ping, settings
):
    topic = await event_topic(partitions=1)
    relay = await start_relay(settings.model_copy(update={"outbox_read_interval_ms": 1_000}))
    batches = record_batches(relay)
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        await add_event(conn, ping(aggregate_id="k", seq=1), topic=topic)
    await wait_until(lambda: relay.published_total == 1, message="event 1 published (the producer started)")
    async with outbox_schema.pool.acquire() as conn, conn.transaction():
        await add_event(conn, ping(aggregate_id="k", seq=2), topic=topic)
    await wait_until(lambda: len(batches) == 2, interval=0.005, message="event 2 read and sent")
    # Four commits of their own, within the second after the read that found event 2.
    for seq in range(3, 7):
        async with outbox_schema.pool.acquire() as conn, conn.transaction():
            await add_event(conn, ping(aggregate_id="k", seq=seq), topic=topic)
    await wait_until(lambda: relay.published_total == 6, message="all six published")
    assert batches == [1, 1, 4]


async def test_a_backlog_is_read_without_the_interval(
    outbox_schema, event_topic, start_relay, ping, settings
):
    topic = await event_topic(partitions=1)
    await write_events(outbox_schema.pool, ping, topic, ["k"], per_key=5)
    paced = settings.model_copy(update={"outbox_read_interval_ms": 60_000, "outbox_batch_size": 2})
    relay = await start_relay(paced)
    # Two full batches, each followed by the next read at once, then the last row: a minute's
    # pause after a full batch would fail this wait.
    await wait_until(lambda: relay.published_total == 5, message="the backlog published")
