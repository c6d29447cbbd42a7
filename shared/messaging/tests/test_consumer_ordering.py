"""Consuming, concurrency and order: partitions are handled concurrently, each key's events in
order, also while partitions move between replicas."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from shared_messaging.consumer import NamedHandler
from shared_messaging.testing import wait_until

from .pings import applied_rows, insert_applied, ping_headers, ping_value, send_pings


async def test_partitions_are_handled_concurrently_and_each_keys_events_in_order(
    applied_table, event_topic, start_consumer, consumed, settings
):
    from shared_messaging.broker import create_producer, start_producer, stop_producer

    topic = await event_topic(partitions=4)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    keys = [f"order-{n}" for n in range(16)]
    per_key = 25
    producer = create_producer(settings)
    await start_producer(producer, settings)
    try:
        sent = [
            await producer.send(topic, ping_value(key, seq), key=key.encode(), headers=ping_headers(key))
            for seq in range(1, per_key + 1)
            for key in keys
        ]
        await asyncio.wait_for(asyncio.gather(*sent), 30)
    finally:
        await stop_producer(producer, settings)

    seen: dict[str, list[int]] = {key: [] for key in keys}
    in_flight: set[str] = set()
    most_in_flight = [0]

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        assert event.aggregate_id not in in_flight  # one message of a key (of a partition) at a time
        in_flight.add(event.aggregate_id)
        most_in_flight[0] = max(most_in_flight[0], len(in_flight))
        try:
            seen[event.aggregate_id].append(event.seq)
            await conn.execute("SELECT pg_sleep(0.002)")
        finally:
            in_flight.discard(event.aggregate_id)

    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )
    total = len(keys) * per_key
    await wait_until(lambda: consumed(group, topic, "ok") == total, seconds=60, message="all handled")
    assert all(seqs == list(range(1, per_key + 1)) for seqs in seen.values()), seen
    assert 1 < most_in_flight[0] <= settings.consumer_max_in_flight
    assert consumed(group, topic, "duplicate") == 0


async def test_partitions_moving_between_replicas_lose_nothing_and_keep_each_keys_order(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    """A replica joins and another leaves while messages flow: the revoked partitions' messages
    in hand finish and are committed before the move, so each event is applied once, in order."""
    topic = await event_topic(partitions=4)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    keys = [f"k{n}" for n in range(8)]

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        await insert_applied(conn, "h", event)
        await asyncio.sleep(0.01)  # still in the transaction: rebalances catch messages in hand

    def replica() -> Any:
        return start_consumer(
            topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
        )

    async def produce(first: int, last: int) -> None:
        await send_pings(send_raw, topic, keys, range(first, last + 1))

    leaving = await replica()
    await produce(1, 10)
    joining = await replica()  # rebalance while the first replica is busy
    await produce(11, 20)
    await wait_until(lambda: joining.consumer.assignment(), message="the new replica has partitions")
    await start_consumer.stop(leaving)  # rebalance again: everything moves to the new replica
    await produce(21, 30)

    total = len(keys) * 30
    await wait_until(lambda: consumed(group, topic, "ok") >= total, seconds=60, message="every event applied")
    rows = await applied_rows(applied_table)
    for key in keys:
        assert [seq for _, k, seq in rows if k == key] == list(range(1, 31)), key
    assert consumed(group, topic, "ok") == total
