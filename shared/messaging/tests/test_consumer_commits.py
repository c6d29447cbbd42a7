"""Consuming, offset commits: a crash before the final commit redelivers only processed messages
(no-ops in the inbox) and loses nothing; a clean stop commits every processed message."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from shared_messaging.testing import wait_until

from .pings import applied_rows, recorder, send_pings


async def committed_offsets(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """What the group committed, per partition (0 when nothing)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await asyncio.wait_for(reader.start(), 15)
    try:
        return {p: (await reader.committed(TopicPartition(topic, p))) or 0 for p in range(partitions)}
    finally:
        await asyncio.wait_for(reader.stop(), 10)


async def _recording(
    start_consumer: Any, settings: Any, pool: Any, topic: str, group: str, *, commit_batch: int
) -> Any:
    """A consumer recording every ping, committing offsets only every `commit_batch` messages (and
    at a clean stop): the hourly interval never comes during a test."""
    commits = settings.model_copy(
        update={"consumer_commit_batch": commit_batch, "consumer_commit_interval_seconds": 3600}
    )
    return await start_consumer(
        topic, group_id=group, consumer_settings=commits, handlers={"TestPing": recorder()}, pool=pool
    )


async def test_a_crash_before_the_final_commit_redelivers_only_processed_messages_and_loses_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, settings, monkeypatch
):
    """Offsets are committed in the background (here every 5 messages); a consumer that dies
    before committing the rest leaves them to the next one, which finds them in the inbox."""
    topic = await event_topic(partitions=2)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    await send_pings(send_raw, topic, ("a", "b"), range(1, 7))
    first = await _recording(start_consumer, settings, applied_table, topic, group, commit_batch=5)
    await wait_until(lambda: consumed(group, topic, "ok") == 12, message="12 processed")
    await wait_until(lambda: sum(first.offsets.pending().values()) > 0, message="some positions pending")

    # The process dies: the background task ends, the final commit never happens.
    monkeypatch.setattr(first.offsets, "close", first.offsets.stop_background)
    await start_consumer.stop(first)
    committed = await committed_offsets(kafka_bootstrap, group, topic, 2)
    uncommitted = 12 - sum(committed.values())
    assert 0 < uncommitted < 12

    await send_pings(send_raw, topic, ("a", "b"), [7])
    await _recording(start_consumer, settings, applied_table, topic, group, commit_batch=5)
    await wait_until(lambda: consumed(group, topic, "ok") == 14, message="the new messages processed")
    await wait_until(lambda: consumed(group, topic, "duplicate") == uncommitted, message="redeliveries seen")
    rows = await applied_rows(applied_table)
    assert sorted(rows) == sorted(("apply", key, seq) for key in ("a", "b") for seq in range(1, 8))
    await asyncio.sleep(0.5)  # nothing else comes: only the uncommitted messages were redelivered
    assert consumed(group, topic, "duplicate") == uncommitted
    assert consumed(group, topic, "ok") == 14


async def test_a_clean_stop_commits_every_processed_message(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, settings
):
    topic = await event_topic(partitions=2)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    await send_pings(send_raw, topic, ("a", "b"), range(1, 4))
    first = await _recording(start_consumer, settings, applied_table, topic, group, commit_batch=1_000)
    await wait_until(lambda: consumed(group, topic, "ok") == 6, message="6 processed")
    await start_consumer.stop(first)

    committed = await committed_offsets(kafka_bootstrap, group, topic, 2)
    assert sum(committed.values()) == 6
