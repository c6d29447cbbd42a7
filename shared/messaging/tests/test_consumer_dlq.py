"""Consuming, dead letters: poison messages, permanent errors and defects in message handling go
to `<topic>.dlq` with their error headers, and the next message is processed."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import BaseModel

from shared_contracts.envelope import new_meta
from shared_contracts.errors import ErrorCategory
from shared_contracts.topics import dlq
from shared_messaging.consumer import NamedHandler
from shared_messaging.dlq import PermanentError
from shared_messaging.testing import read_records, wait_until

from .pings import applied_rows, insert_applied, ping_headers, ping_value, recorder, send_pings


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


async def test_a_permanent_error_goes_to_the_dlq_at_once_and_rolls_back_its_effect(
    applied_table, event_topic, start_consumer, send_raw, consumed, kafka_bootstrap
):
    topic = await event_topic(partitions=1)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    calls: list[int] = []

    async def handle(conn: Any, event: Any, meta: Any) -> None:
        calls.append(event.seq)
        await insert_applied(conn, "h", event)
        if event.seq == 1:
            raise PermanentError(
                "Item 42 is not sold at store 7.", code="ITEM_NOT_RANGED", business_errors=["item 42"]
            )

    await send_pings(send_raw, topic, ["a"], [1, 2])
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
