"""Consuming, pause and resume: nothing is consumed while paused, nothing is lost on resume, and
partitions assigned during a pause stay paused."""

from __future__ import annotations

import asyncio
import uuid

from shared_messaging.testing import wait_until

from .pings import applied_rows, ping_headers, ping_value, recorder


async def test_pause_stops_consumption_and_resume_loses_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    topic = await event_topic(partitions=3)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    subscription = await start_consumer(
        topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table
    )
    await send_raw(topic, ping_value("before", 1), key=b"before", headers=ping_headers("before"))
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="consuming")

    subscription.pause()
    assert subscription.paused
    for n in range(5):
        await send_raw(
            topic, ping_value(f"during-{n}", 1), key=f"during-{n}".encode(), headers=ping_headers("d")
        )
    await asyncio.sleep(1.0)  # long enough for a running consumer to have fetched them
    assert consumed(group, topic, "ok") == 1

    subscription.resume()
    await wait_until(lambda: consumed(group, topic, "ok") == 6, message="all consumed after resume")
    assert len(await applied_rows(applied_table)) == 6


async def test_partitions_assigned_during_a_pause_stay_paused(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    """All replicas pause for the batch window; when one leaves, the partitions that move to
    another must not start flowing before the window ends."""
    topic = await event_topic(partitions=4)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    staying = await start_consumer(
        topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table
    )
    leaving = await start_consumer(
        topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table
    )
    await wait_until(
        lambda: staying.consumer.assignment() and leaving.consumer.assignment(),
        message="both replicas assigned",
    )
    staying.pause()
    leaving.pause()
    moving = set(leaving.consumer.assignment())

    await start_consumer.stop(leaving)  # the replica's process ends
    await wait_until(lambda: moving <= set(staying.consumer.assignment()), message="partitions moved over")
    assert moving <= staying.consumer.paused()
    for n in range(8):
        await send_raw(topic, ping_value(f"k{n}", 1), key=f"k{n}".encode(), headers=ping_headers(f"k{n}"))
    await asyncio.sleep(1.0)  # long enough for an unpaused consumer to have fetched them
    assert consumed(group, topic, "ok") == 0

    staying.resume()
    await wait_until(lambda: consumed(group, topic, "ok") == 8, message="all consumed after resume")
