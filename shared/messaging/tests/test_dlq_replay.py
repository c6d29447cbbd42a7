"""DLQ list and replay on the real broker: a message refused for a missing reference goes to the
DLQ; once the reference exists, replaying it gets it processed; replaying it again is a no-op
(the inbox). Also for an external command, whose id the consumer derives from its position."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from typing import Any

from shared_contracts.envelope import CE_TYPE
from shared_contracts.topics import dlq
from shared_messaging.consumer import NamedHandler
from shared_messaging.dlq import PermanentError
from shared_messaging.dlq_replay import Selection, read_dead_letters, replay, run_command
from shared_messaging.testing import read_records, wait_until

from .pings import applied_rows, insert_applied, ping_headers, ping_value


def refusing_unknown_aggregates():
    """A handler applying pings of aggregates in `known` and refusing the others for good."""

    async def apply(conn: Any, event: Any, meta: Any) -> None:
        if not await conn.fetchval("SELECT true FROM known WHERE aggregate_id = $1", event.aggregate_id):
            raise PermanentError(f"unknown aggregate {event.aggregate_id}", code="UNKNOWN_AGGREGATE")
        await insert_applied(conn, "apply", event)

    return NamedHandler("apply", apply)


async def test_a_dead_letter_is_listed_then_replayed_once_its_cause_is_fixed_and_twice_changes_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed, settings, kafka_bootstrap, capsys
):
    await applied_table.execute("CREATE TABLE known (aggregate_id text primary key)")
    topic = await event_topic(partitions=2)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": refusing_unknown_aggregates()}, pool=applied_table
    )
    await send_raw(topic, ping_value("late", 1), key=b"late", headers=ping_headers("late"))
    await send_raw(topic, b"{broken", key=b"junk", headers=ping_headers("junk"))
    await read_records(kafka_bootstrap, dlq(topic), count=2)

    assert await run_command(["--bootstrap", kafka_bootstrap, "list", topic, "--json"]) == 0
    output = capsys.readouterr().out.splitlines()
    listed = [json.loads(line) for line in output if line.startswith("{")]  # FastStream logs to stdout
    assert sorted((row["reason"], row["key"]) for row in listed) == [
        ("INVALID_JSON", "junk"),
        ("UNKNOWN_AGGREGATE", "late"),
    ]
    refused = next(row for row in listed if row["key"] == "late")
    assert refused["message"] == "unknown aggregate late"
    assert refused["ce_type"] == "TestPing"

    await applied_table.execute("INSERT INTO known VALUES ('late')")  # the fix
    chosen = await read_dead_letters(settings, dlq(topic), Selection(reason="UNKNOWN_AGGREGATE"))
    assert [letter.key for letter in chosen] == [b"late"]
    assert await replay(settings, chosen) == 1
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the replayed event processed")
    assert await applied_rows(applied_table) == [("apply", "late", 1)]

    assert (
        await run_command(
            ["--bootstrap", kafka_bootstrap, "replay", topic, "--all", "--reason", "UNKNOWN_AGGREGATE"]
        )
        == 0
    )
    await wait_until(lambda: consumed(group, topic, "duplicate") == 1, message="the second replay absorbed")
    assert await applied_rows(applied_table) == [("apply", "late", 1)]
    assert len(await read_records(kafka_bootstrap, dlq(topic), count=3, seconds=1)) == 2  # nothing new


async def test_an_external_command_replayed_twice_is_applied_once(
    applied_table, event_topic, start_consumer, send_raw, consumed, settings, kafka_bootstrap
):
    await applied_table.execute("CREATE TABLE known (aggregate_id text primary key)")
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    await start_consumer(
        topic,
        group_id=group,
        handlers={"TestPing": refusing_unknown_aggregates()},
        pool=applied_table,
        external=True,
    )
    await send_raw(topic, ping_value("oms", 7), key=b"oms", headers=[(CE_TYPE, b"TestPing")])
    await read_records(kafka_bootstrap, dlq(topic), count=1)
    await applied_table.execute("INSERT INTO known VALUES ('oms')")

    letters = await read_dead_letters(settings, topic, Selection(partition=0, from_offset=0, to_offset=0))
    assert [letter.reason for letter in letters] == ["UNKNOWN_AGGREGATE"]
    assert await replay(settings, letters) == 1
    assert await replay(settings, letters) == 1
    await wait_until(lambda: consumed(group, topic, "duplicate") == 1, message="the second replay absorbed")
    assert consumed(group, topic, "ok") == 1
    assert await applied_rows(applied_table) == [("apply", "oms", 7)]


def test_the_command_line_lists_a_dead_letter_queue(kafka_bootstrap, platform_topics):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shared_messaging",
            "dlq",
            "list",
            "orders.order.v1",
            "--partition",
            "0",
            "--from-offset",
            "0",
            "--to-offset",
            "0",
        ],
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "in orders.order.v1.dlq" in result.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "shared_messaging", "dlq", "replay", "orders.order.v1"],
        env={**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "replay needs --all or a selection" in refused.stderr
