"""Consuming, tracing: a handler runs in a consumer span of the producer's trace."""

from __future__ import annotations

import uuid
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from shared_contracts.envelope import new_meta
from shared_messaging.consumer import NamedHandler
from shared_messaging.testing import wait_until
from shared_observability.propagation import trace_id_hex_for
from shared_observability.testing import enable_test_tracing, finished_spans

from .pings import ping_headers, ping_value, recorder


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


async def test_an_event_type_the_service_does_not_handle_is_counted_without_a_span(
    applied_table, event_topic, start_consumer, send_raw, consumed
):
    enable_test_tracing("test-service")
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    other = new_meta("TestPong", "tests", "b").to_headers()
    await send_raw(topic, b'{"aggregateId": "b"}', key=b"b", headers=other)
    await send_raw(topic, ping_value("a", 1), key=b"a", headers=ping_headers("a"))
    await start_consumer(topic, group_id=group, handlers={"TestPing": recorder()}, pool=applied_table)
    await wait_until(lambda: consumed(group, topic, "ok") == 1, message="the handled event processed")
    await wait_until(
        lambda: any(s.name == f"{topic} process" for s in finished_spans()), message="span ended"
    )

    assert consumed(group, topic, "ignored", handler="TestPong") == 1
    process_spans = [s for s in finished_spans() if s.name == f"{topic} process"]
    assert [s.attributes["cloudevents.event_type"] for s in process_spans] == ["TestPing"]
