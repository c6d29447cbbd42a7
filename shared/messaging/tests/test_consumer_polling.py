"""Polling: a poll waits for records up to its timeout, and an empty poll is followed by the next
one at once (FastStream's batch subscriber would first sleep as long as the timeout again, and a
record arriving then would wait)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from itertools import pairwise
from typing import Any

from shared_messaging.broker import ACCESS_LOGGER
from shared_messaging.testing import wait_until

from .pings import ping_headers, ping_value, recorder


def record_polls(consumer: Any) -> list[tuple[float, float, int]]:
    """(started, ended, records) of each of `consumer`'s polls from now on."""
    loop = asyncio.get_running_loop()
    polls: list[tuple[float, float, int]] = []
    getmany = consumer.getmany

    async def recorded_getmany(*args: Any, **kwargs: Any) -> Any:
        started = loop.time()
        fetched = await getmany(*args, **kwargs)
        polls.append((started, loop.time(), sum(len(records) for records in fetched.values())))
        return fetched

    consumer.getmany = recorded_getmany
    return polls


async def test_an_empty_poll_is_followed_by_the_next_one_at_once(
    applied_table, event_topic, start_consumer, send_raw, consumed, settings
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    polling = settings.model_copy(update={"consumer_poll_timeout_ms": 1_000})
    subscription = await start_consumer(
        topic,
        group_id=group,
        consumer_settings=polling,
        handlers={"TestPing": recorder()},
        pool=applied_table,
    )
    polls = record_polls(subscription.consumer)
    await wait_until(lambda: sum(1 for *_, n in polls if n == 0) >= 2, seconds=15, message="two empty polls")
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the ping handled")

    empty_then_next = [(ended, following[0]) for (_, ended, n), following in pairwise(polls) if n == 0]
    assert empty_then_next
    # An empty poll lasted its timeout (1 s); the next started right after it, not a second later.
    assert all(next_started - ended < 0.5 for ended, next_started in empty_then_next)


async def test_a_poll_with_records_is_followed_by_the_next_after_the_linger(
    applied_table, event_topic, start_consumer, send_raw, consumed, settings
):
    """Records sent while the subscriber lingers come in one or two polls (a fetch already under
    way when the pause began may bring the first of them alone), not one poll each."""
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    lingering = settings.model_copy(update={"consumer_fetch_linger_ms": 1_000})
    subscription = await start_consumer(
        topic,
        group_id=group,
        consumer_settings=lingering,
        handlers={"TestPing": recorder()},
        pool=applied_table,
    )
    polls = record_polls(subscription.consumer)
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the first ping handled")
    for seq in range(2, 7):
        await send_raw(topic, ping_value("a", seq), key=b"a", headers=ping_headers("a"))
    await wait_until(lambda: consumed(group, topic, "ok") == 6, message="all six pings handled")

    assert 2 <= sum(1 for *_, n in polls if n) <= 3, polls
    first = next(index for index, (*_, n) in enumerate(polls) if n)
    assert polls[first + 1][0] - polls[first][1] >= 0.9, "the poll after records started a linger later"


async def test_faststream_logs_its_access_lines_at_debug_through_the_standard_loggers(
    applied_table, event_topic, start_consumer, send_raw, consumed, caplog
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    caplog.set_level(logging.DEBUG, logger=ACCESS_LOGGER)
    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the ping handled")

    access = [
        r for r in caplog.records if r.name == ACCESS_LOGGER and r.getMessage() in {"Received", "Processed"}
    ]
    assert access, "FastStream's access lines go through the shared_messaging.faststream logger"
    assert {record.levelno for record in access} == {logging.DEBUG}
