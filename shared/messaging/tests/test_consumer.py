"""Consuming: inbox deduplication, DLQ of poison messages, retries, tracing, pause and resume."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from shared_contracts.envelope import new_meta
from shared_contracts.errors import ErrorCategory
from shared_contracts.topics import dlq
from shared_messaging.consumer import NamedHandler
from shared_messaging.dlq import PermanentError
from shared_messaging.inbox import claim
from shared_messaging.testing import read_records, wait_until
from shared_observability.propagation import trace_id_hex_for
from shared_observability.testing import enable_test_tracing, finished_spans


def ping_headers(key: str, event_id: str | None = None, **extra: str) -> list[tuple[str, bytes]]:
    meta = new_meta("TestPing", "tests", key)
    if event_id is not None:
        meta = meta.model_copy(update={"id": event_id})
    return [*meta.to_headers(), *((name, value.encode()) for name, value in extra.items())]


def ping_value(key: str, seq: int) -> bytes:
    return json.dumps({"aggregateId": key, "seq": seq}).encode()


@pytest.fixture
async def applied_table(outbox_schema):
    await outbox_schema.pool.execute(
        "CREATE TABLE applied (id serial, handler text, aggregate_id text, seq int)"
    )
    return outbox_schema.pool


def recorder(name: str = "apply"):
    """A handler inserting one `applied` row per call, with its own stable inbox name."""

    async def apply(conn: Any, event: Any, meta: Any) -> None:
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ($1, $2, $3)",
            name,
            event.aggregate_id,
            event.seq,
        )

    return NamedHandler(name, apply)


async def applied_rows(pool) -> list[tuple[str, str, int]]:
    rows = await pool.fetch("SELECT handler, aggregate_id, seq FROM applied ORDER BY id")
    return [(row["handler"], row["aggregate_id"], row["seq"]) for row in rows]


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


async def test_poison_messages_go_to_the_dlq_with_error_headers_and_the_next_message_is_processed(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    bad_json = b'{"aggregateId": "p1", "seq": '
    no_type = ping_value("p2", 1)
    bad_payload = json.dumps({"aggregateId": "p3", "seq": "three"}).encode()
    bad_json_headers = ping_headers("p1", **{"x-trace-id": "poison-trace"})
    no_type_headers = [(n, v) for n, v in ping_headers("p2") if n != "ce_type"]
    bad_payload_headers = ping_headers("p3")
    await send_raw(topic, bad_json, key=b"p1", headers=bad_json_headers)
    await send_raw(topic, no_type, key=b"p2", headers=no_type_headers)
    await send_raw(topic, bad_payload, key=b"p3", headers=bad_payload_headers)
    await send_raw(topic, ping_value("ok", 1), key=b"ok", headers=ping_headers("ok"))

    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)
    dead = await read_records(kafka_bootstrap, dlq(topic), count=3)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the valid message processed")

    assert await applied_rows(applied_table) == [("apply", "ok", 1)]
    assert [(r.key, r.value) for r in dead] == [(b"p1", bad_json), (b"p2", no_type), (b"p3", bad_payload)]
    for record, original in zip(dead, [bad_json_headers, no_type_headers, bad_payload_headers], strict=True):
        assert list(record.headers)[: len(original)] == original  # original headers kept, in order
    errors = [json.loads(dict(r.headers)["x-error"]) for r in dead]
    codes = [dict(r.headers)["x-error-code"] for r in dead]
    assert codes == [b"INVALID_JSON", b"INVALID_ENVELOPE", b"VALIDATION_FAILED"]
    assert [e["code"] for e in errors] == ["INVALID_JSON", "INVALID_ENVELOPE", "VALIDATION_FAILED"]
    assert all(e["status"] == "ERROR" and e["category"] == "VALIDATION" for e in errors)
    assert errors[0]["traceId"] == "poison-trace"
    assert "ce_type" in errors[1]["message"]
    assert errors[2]["validationErrors"] == [
        {
            "error": "Input should be a valid integer, unable to parse string as an integer",
            "field": "seq",
            "inputValue": "three",
        }
    ]
    assert consumed(group, topic, "dlq", handler="TestPing") == 2
    assert consumed(group, topic, "dlq", handler="-") == 1


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


async def test_a_permanent_error_goes_to_the_dlq_at_once_and_rolls_back_its_effect(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    calls: list[int] = []

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        calls.append(event.seq)
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ('h', $1, $2)",
            event.aggregate_id,
            event.seq,
        )
        if event.seq == 1:
            raise PermanentError(
                "Item 42 is not sold at store 7.", code="ITEM_NOT_RANGED", business_errors=["item 42"]
            )

    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await send_raw(topic, ping_value("a", 2), key=b"a", headers=ping_headers("a"))
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )

    dead = await read_records(kafka_bootstrap, dlq(topic), count=1)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="next message processed")
    assert calls == [1, 2]  # not retried
    assert await applied_rows(applied_table) == [("h", "a", 2)]
    assert await applied_table.fetchval("SELECT count(*) FROM inbox") == 1
    headers = dict(dead[0].headers)
    assert headers["x-error-code"] == b"ITEM_NOT_RANGED"
    body = json.loads(headers["x-error"])
    assert body["category"] == ErrorCategory.BUSINESS
    assert body["message"] == "Item 42 is not sold at store 7."
    assert body["businessError"] == ["item 42"]


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
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ('h', $1, $2)",
            event.aggregate_id,
            event.seq,
        )

    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await send_raw(topic, ping_value("a", 2), key=b"a", headers=ping_headers("a"))
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
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ('h', $1, $2)",
            event.aggregate_id,
            event.seq,
        )

    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )

    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="processed once the failure passed")
    assert failures_left == [0]
    assert await applied_rows(applied_table) == [("h", "a", 1)]
    assert await read_records(kafka_bootstrap, dlq(topic), count=1, seconds=0.5) == []


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


async def test_handling_runs_in_a_consumer_span_of_the_producers_trace(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    enable_test_tracing("test-service")
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    seen: list[tuple[str, Any]] = []

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        span = trace.get_current_span()
        seen.append((format(span.get_span_context().trace_id, "032x"), span))

    await send_raw(
        topic, ping_value("a", 1), key=b"a", headers=ping_headers("a", **{"x-trace-id": "journey-7"})
    )
    await start_consumer(
        topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
    )
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="processed")

    trace_id, span = seen[0]
    assert trace_id == trace_id_hex_for("journey-7")
    assert span.kind is SpanKind.CONSUMER
    await wait_until(
        lambda: any(s.name == f"{topic} process" for s in finished_spans()), message="span ended"
    )
    ended = next(s for s in finished_spans() if s.name == f"{topic} process")
    assert ended.attributes["x_trace_id"] == "journey-7"
    assert ended.attributes["messaging.destination.name"] == topic
    assert ended.attributes["messaging.outcome"] == "ok"


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
    assert meta.id == str(uuid.uuid5(uuid.NAMESPACE_URL, f"kafka:{topic}/0/0"))


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
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ('h', $1, $2)",
            event.aggregate_id,
            event.seq,
        )

    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await send_raw(topic, ping_value("a", 2), key=b"a", headers=ping_headers("a"))
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


async def test_a_defect_in_message_handling_dead_letters_the_message_instead_of_dropping_it(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, ping
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"

    class Broken(BaseModel):
        @classmethod
        def model_validate_json(cls, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("model registry corrupted")

    await send_raw(topic, b"{}", key=b"x", headers=new_meta("Broken", "tests", "x").to_headers())
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    handlers = {"Broken": recorder("broken"), "TestPing": recorder()}
    models = {"Broken": Broken, "TestPing": ping}
    await start_consumer(topic, group_id=group, handlers=handlers, models=models, pool=applied_table)

    dead = await read_records(kafka_bootstrap, dlq(topic), count=1)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="next message processed")
    headers = dict(dead[0].headers)
    assert headers["x-error-code"] == b"HANDLER_FAILED"
    assert "model registry corrupted" in json.loads(headers["x-error"])["message"]
    assert await applied_rows(applied_table) == [("apply", "a", 1)]


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


async def committed_offsets(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """What the group committed, per partition (0 when nothing)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await asyncio.wait_for(reader.start(), 15)
    try:
        return {p: (await reader.committed(TopicPartition(topic, p))) or 0 for p in range(partitions)}
    finally:
        await asyncio.wait_for(reader.stop(), 10)


async def test_a_crash_before_the_final_commit_redelivers_only_processed_messages_and_loses_nothing(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap, settings, monkeypatch
):
    """Offsets are committed in the background (here every 5 messages); a consumer that dies
    before committing the rest leaves them to the next one, which finds them in the inbox."""
    topic = await event_topic(partitions=2)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    sparse_commits = settings.model_copy(
        update={"consumer_commit_batch": 5, "consumer_commit_interval_seconds": 3600}
    )
    for seq in range(1, 7):
        for key in ("a", "b"):
            await send_raw(topic, ping_value(key, seq), key=key.encode(), headers=ping_headers(key))
    first = await start_consumer(
        topic,
        group_id=group,
        consumer_settings=sparse_commits,
        handlers={"TestPing": recorder()},
        pool=applied_table,
    )
    await wait_until(lambda: consumed(group, topic, "ok") == 12, message="12 processed")
    await wait_until(lambda: sum(first.offsets.pending().values()) > 0, message="some positions pending")

    # The process dies: the background task ends, the final commit never happens.
    monkeypatch.setattr(first.offsets, "close", first.offsets.stop_background)
    await start_consumer.stop(first)
    committed = await committed_offsets(kafka_bootstrap, group, topic, 2)
    uncommitted = 12 - sum(committed.values())
    assert 0 < uncommitted < 12

    for key in ("a", "b"):
        await send_raw(topic, ping_value(key, 7), key=key.encode(), headers=ping_headers(key))
    await start_consumer(
        topic,
        group_id=group,
        consumer_settings=sparse_commits,
        handlers={"TestPing": recorder()},
        pool=applied_table,
    )
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
    no_background_commits = settings.model_copy(
        update={"consumer_commit_batch": 1_000, "consumer_commit_interval_seconds": 3600}
    )
    for seq in range(1, 4):
        for key in ("a", "b"):
            await send_raw(topic, ping_value(key, seq), key=key.encode(), headers=ping_headers(key))
    first = await start_consumer(
        topic,
        group_id=group,
        consumer_settings=no_background_commits,
        handlers={"TestPing": recorder()},
        pool=applied_table,
    )
    await wait_until(lambda: consumed(group, topic, "ok") == 6, message="6 processed")
    await start_consumer.stop(first)

    committed = await committed_offsets(kafka_bootstrap, group, topic, 2)
    assert sum(committed.values()) == 6


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
        await conn.execute(
            "INSERT INTO applied (handler, aggregate_id, seq) VALUES ('h', $1, $2)",
            event.aggregate_id,
            event.seq,
        )
        await asyncio.sleep(0.01)  # still in the transaction: rebalances catch messages in hand

    def replica() -> Any:
        return start_consumer(
            topic, group_id=group, handlers={"TestPing": NamedHandler("h", handle)}, pool=applied_table
        )

    async def produce(first: int, last: int) -> None:
        for seq in range(first, last + 1):
            for key in keys:
                await send_raw(topic, ping_value(key, seq), key=key.encode(), headers=ping_headers(key))

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
