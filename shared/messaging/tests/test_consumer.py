"""Consuming, each event applied once: the inbox makes a redelivery a no-op, per handler (also for
an external command, whose id comes from its position); event types the service does not handle
are acknowledged and ignored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared_contracts.envelope import new_meta, record_event_id
from shared_contracts.topics import dlq
from shared_messaging.consumer import NamedHandler
from shared_messaging.inbox import claim
from shared_messaging.testing import read_records, wait_until

from .pings import applied_rows, ping_headers, ping_value, recorder


async def test_a_redelivered_event_changes_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    event_id = str(uuid.uuid4())
    for _ in range(2):  # the same event twice, as after a producer retry or a relay crash
        await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a", event_id))
    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)

    await wait_until(lambda: consumed(group, topic, "duplicate") == 1, message="redelivery seen")
    assert consumed(group, topic, "ok") == 1
    assert await applied_rows(applied_table) == [("apply", "a", 1)]


async def test_a_redelivery_after_an_uncommitted_offset_changes_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    """A consumer that died after its transaction but before committing the offset: the next one
    in the group receives the message again, and the inbox makes it a no-op."""
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    event_id = str(uuid.uuid4())
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a", event_id))
    async with applied_table.acquire() as conn, conn.transaction():  # the first consumer's effect
        assert await claim(conn, event_id, "apply")
        await conn.execute("INSERT INTO applied (handler, aggregate_id, seq) VALUES ('apply', 'a', 1)")

    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)
    await wait_until(lambda: consumed(group, topic, "duplicate") == 1, message="redelivery seen")
    assert await applied_rows(applied_table) == [("apply", "a", 1)]


async def test_the_inbox_claim_is_per_handler(applied_table, event_topic, start_consumer, send_raw, consumed):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    event_id = str(uuid.uuid4())
    for _ in range(2):
        await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a", event_id))
    handlers = {"TestPing": [recorder("projection"), recorder("reservation")]}
    await start_consumer(topic, group_id=group, handlers=handlers, pool=applied_table)

    await wait_until(lambda: consumed(group, topic, "duplicate") == 1, message="redelivery seen")
    assert sorted(await applied_rows(applied_table)) == [("projection", "a", 1), ("reservation", "a", 1)]
    claims = await applied_table.fetch("SELECT handler FROM inbox WHERE event_id = $1::text::uuid", event_id)
    assert sorted(row["handler"] for row in claims) == ["projection", "reservation"]


async def test_claim_is_true_once_per_event_and_handler(outbox_schema):
    event_id = uuid.uuid4()
    async with outbox_schema.pool.acquire() as conn:
        with pytest.raises(RuntimeError, match="inside the handler's transaction"):
            await claim(conn, event_id, "a")
        async with conn.transaction():
            assert await claim(conn, event_id, "a") is True
            assert await claim(conn, event_id, "a") is False
            assert await claim(conn, str(event_id), "b") is True
        tx = conn.transaction()
        await tx.start()
        assert await claim(conn, event_id, "c") is True
        await tx.rollback()
        async with conn.transaction():  # a rolled-back claim did not count
            assert await claim(conn, event_id, "c") is True


async def test_an_external_command_needs_only_ce_type_and_is_deduplicated_by_position(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    metas: list[Any] = []

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        metas.append(meta)

    headers = [("ce_type", b"TestPing"), ("x-trace-id", b"oms-1"), ("x-transaction-id", b"oms-tx-1")]
    await send_raw(topic, ping_value("CO-1", 1), key=b"CO-1", headers=headers)
    await start_consumer(
        topic,
        group_id=group,
        handlers={"TestPing": NamedHandler("h", handle)},
        pool=applied_table,
        external=True,
    )
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="processed")
    meta = metas[0]
    assert meta.source == f"/external/{topic}"
    assert meta.subject == "CO-1"
    assert meta.transaction_id == "oms-tx-1"
    assert meta.id == record_event_id(topic, 0, 0, meta.time)


async def test_an_event_type_the_service_does_not_handle_is_acknowledged_and_ignored(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    pong = new_meta("TestPong", "tests", "x").to_headers()
    await send_raw(topic, b'{"aggregateId": "x", "extra": true}', key=b"x", headers=pong)
    await send_raw(
        topic, b"not even json", key=b"y", headers=new_meta("SomethingNew", "tests", "y").to_headers()
    )
    await send_raw(topic, ping_value("z", 1), key=b"z", headers=ping_headers("z"))

    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the handled event processed")
    assert consumed(group, topic, "ignored", handler="TestPong") == 1
    assert consumed(group, topic, "ignored", handler="SomethingNew") == 1
    assert await applied_rows(applied_table) == [("apply", "z", 1)]
    assert await read_records(kafka_bootstrap, dlq(topic), count=1, seconds=0.5) == []
