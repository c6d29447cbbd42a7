"""Consuming, retries: an unexpected error is retried then dead-lettered, an infrastructure error is
retried until it passes, and a message failing longer than the retry window is handed back."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest

from shared_contracts.topics import dlq
from shared_messaging.consumer import NamedHandler
from shared_messaging.testing import read_records, wait_until

from .pings import applied_rows, insert_applied, ping_headers, ping_value, send_pings


async def test_an_unexpected_error_is_retried_then_dead_lettered_as_internal(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, settings
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    calls: list[int] = []

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        calls.append(event.seq)
        if event.seq == 1:
            raise ValueError("division by zero in pricing")
        await insert_applied(conn, "h", event)

    await send_pings(send_raw, topic, ["a"], [1, 2])
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )

    dead = await read_records(kafka_bootstrap, dlq(topic), count=1)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="next message processed")
    assert calls == [1] * settings.handler_max_attempts + [2]
    headers = dict(dead[0].headers)
    assert headers["x-error-code"] == b"HANDLER_FAILED"
    body = json.loads(headers["x-error"])
    assert body["category"] == "INTERNAL"
    assert "ValueError: division by zero in pricing" in body["message"]
    assert await applied_rows(applied_table) == [("h", "a", 2)]


@pytest.mark.parametrize(
    "failure",
    [
        OSError("connection refused"),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.InterfaceError("pool is closing"),
        TimeoutError(),
    ],
    ids=["oserror", "connection-lost", "db-starting", "pool-closing", "timeout"],
)
async def test_an_infrastructure_error_is_retried_until_it_passes_and_never_dead_lettered(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, settings, failure
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    failures_left = [settings.handler_max_attempts + 1]  # more than an ordinary error would get

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        if failures_left[0] > 0:
            failures_left[0] -= 1
            raise failure
        await insert_applied(conn, "h", event)

    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )

    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="processed once the failure passed")
    assert failures_left == [0]
    assert await applied_rows(applied_table) == [("h", "a", 1)]
    assert await read_records(kafka_bootstrap, dlq(topic), count=1, seconds=0.5) == []


async def test_a_message_failing_longer_than_the_retry_window_is_handed_back_and_retried(
    applied_table, event_topic, start_consumer, send_raw, consumed, settings
):
    """Retrying in place is bounded (the poll loop must keep running); the message is sought back
    to, fetched again and processed once the database answers, with nothing committed before."""
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    short_window = settings.model_copy(update={"consumer_retry_window_seconds": 0.2})
    loop = asyncio.get_running_loop()
    healthy_at = loop.time() + 1.0

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        if loop.time() < healthy_at:
            raise OSError("database unreachable")
        await insert_applied(conn, "h", event)

    await send_pings(send_raw, topic, ["a"], [1, 2])
    await start_consumer(
        topic,
        group_id=group,
        consumer_settings=short_window,
        handlers={"TestPing": NamedHandler("h", handle)},
        pool=applied_table,
    )
    await wait_until(lambda: consumed(group, topic, "ok") == 2, message="both processed")
    assert consumed(group, topic, "retry") >= 2
    assert await applied_rows(applied_table) == [("h", "a", 1), ("h", "a", 2)]
