"""Topic administration: topics and their DLQs are created once, explicitly, within a bound."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest

from shared_contracts.topics import ALL_TOPICS
from shared_messaging.topics import ensure_topics, with_dlqs


def test_with_dlqs_adds_each_topics_dlq_once():
    assert with_dlqs(["a.v1", "a.v1.dlq", "b.v1"]) == ["a.v1", "a.v1.dlq", "b.v1", "b.v1.dlq"]


async def test_ensure_topics_creates_missing_topics_and_their_dlqs_once(kafka_bootstrap, kafka_admin):
    name = f"msg.ensure.{uuid.uuid4().hex[:8]}"
    try:
        assert await ensure_topics(kafka_bootstrap, [name], 2) == [name, f"{name}.dlq"]
        assert await ensure_topics(kafka_bootstrap, [name], 2) == []
        described = {
            t["topic"]: len(t["partitions"]) for t in await kafka_admin.describe_topics([name, f"{name}.dlq"])
        }
        assert described == {name: 2, f"{name}.dlq": 2}
    finally:
        await kafka_admin.delete_topics([name, f"{name}.dlq"])


async def test_ensure_topics_fails_within_its_bound_when_kafka_is_unreachable():
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error, as long as it is quick
        await ensure_topics("127.0.0.1:1", ["nowhere"], 1, timeout_seconds=2)
    assert loop.time() - started < 5


async def test_cli_creates_every_platform_topic(kafka_bootstrap, kafka_admin):
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared_messaging",
        "topics",
        "create",
        "--bootstrap",
        kafka_bootstrap,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, output.decode()
    assert b"RuntimeWarning" not in output
    assert set(ALL_TOPICS) <= set(await kafka_admin.list_topics())
    assert "orders.order.v1.dlq" in ALL_TOPICS
