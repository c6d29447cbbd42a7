"""Malformed and random messages on every inbound topic of the running platform, between valid ones.

For each topic (and every consumer of it) the test publishes, on one key so that everything shares a
partition and is handled in order, the messages of `kafka_messages.py`: valid ones of a type the
topic's consumers apply, malformed ones between them, unknown types, and another unknown type last.

Then, per ADR 0004: every malformed message is in `<topic>.dlq` once per consumer that handles its
type (all consumers of the topic when it has no type), with `x-error-code` and the standard error
body in `x-error`; every valid message is applied (its inbox claim, committed with the handler's
work, is there for each handler); unknown types are ignored, not dead-lettered; and every consumer
handled the last message (its consumed-messages metric), so none stopped on the fuzz.

Reduced by default (a few messages of each kind per topic); `FUZZ_FULL=1` sends many more.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from shared_contracts import topics
from shared_contracts.envelope import CE_TYPE, X_ERROR, X_ERROR_CODE, record_event_id
from shared_contracts.events import EVENT_TYPES
from shared_messaging.dlq import VALIDATION_FAILED
from shared_testing.platform import Platform

from .kafka_messages import FULL, INBOUND, Inbound, Message, Messages, json_bytes

SETTLE_SECONDS = 120.0 if FULL else 90.0
"""Bound on the platform handling everything sent (per topic, all topics at once)."""
FUZZ_CASE = "fuzz-case"
"""Header marking each message sent here (the DLQ keeps the original headers)."""


def test_every_inbound_topic_is_fuzzed() -> None:
    assert {inbound.topic for inbound in INBOUND} == set(topics.EVENT_TOPICS)
    for inbound in INBOUND:
        assert inbound.valid_type in EVENT_TYPES
        EVENT_TYPES[inbound.valid_type].model_validate(inbound.valid())


# -- publishing and observing ---------------------------------------------------------------------


async def publish(bootstrap: str, topic: str, key: str, messages: list[Message]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, max_request_size=2_000_000
    )
    await asyncio.wait_for(producer.start(), 15)
    try:
        for message in messages:
            headers = [*message.headers, (FUZZ_CASE, message.case.encode())]
            created = datetime.now(UTC).replace(microsecond=0)  # the record's timestamp, in ms
            sent = await asyncio.wait_for(
                producer.send_and_wait(
                    topic,
                    message.value,
                    key=key.encode(),
                    headers=headers,
                    timestamp_ms=int(created.timestamp() * 1000),
                ),
                30,
            )
            if message.kind == "valid" and message.event_id is None:  # external: id from the record
                message.event_id = record_event_id(topic, sent.partition, sent.offset, created)
    finally:
        await asyncio.wait_for(producer.stop(), 15)


async def dead_letters(
    bootstrap: str, topic: str, cases: set[str], expected: int, seconds: float
) -> list[Any]:
    """The records of `topic`'s DLQ marked with one of `cases`, read until `expected` of them came
    or `seconds` passed, then 2 s more (to catch any extra)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await asyncio.wait_for(consumer.start(), 15)
    found: list[Any] = []
    try:
        dlq_topic = topics.dlq(topic)
        partitions = [TopicPartition(dlq_topic, p) for p in range(topics.DEFAULT_PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        loop = asyncio.get_running_loop()
        deadline, settle_until = loop.time() + seconds, None
        while loop.time() < (settle_until or deadline):
            batch = await consumer.getmany(timeout_ms=200, max_records=500)
            for records in batch.values():
                found += [r for r in records if _case_of(r.headers) in cases]
            if settle_until is None and len(found) >= expected:
                settle_until = loop.time() + 2.0
    finally:
        await asyncio.wait_for(consumer.stop(), 10)
    return found


def _case_of(headers: Iterable[tuple[str, bytes | None]]) -> str | None:
    for name, value in headers:
        if name == FUZZ_CASE and value is not None:
            return value.decode()
    return None


async def applied(db_url: str, handler: str, event_ids: list[str]) -> set[str]:
    connection = await asyncpg.connect(db_url, timeout=15)
    try:
        rows = await connection.fetch(
            "SELECT event_id::text AS id FROM inbox WHERE handler = $1 AND event_id = ANY($2::uuid[])",
            handler,
            [uuid.UUID(event_id) for event_id in event_ids],
        )
    finally:
        await connection.close()
    return {row["id"] for row in rows}


async def ignored_types(http: httpx.AsyncClient, service_url: str, topic: str) -> set[str]:
    """The `ce_type`s `service` counted as ignored on `topic` (its consumed-messages metric)."""
    text = (await http.get(f"{service_url}/metrics")).text
    return {
        sample.labels["handler"]
        for family in text_string_to_metric_families(text)
        if family.name == "kafka_messages_consumed"
        for sample in family.samples
        if sample.name == "kafka_messages_consumed_total"
        and sample.labels.get("topic") == topic
        and sample.labels.get("outcome") == "ignored"
        and sample.value > 0
    }


def _type_of(message: Message) -> str | None:
    for name, value in message.headers:
        if name == CE_TYPE and value:
            return value.decode()
    return None


# -- the test -------------------------------------------------------------------------------------


@pytest.mark.timeout(600 if FULL else 240)
@pytest.mark.usefixtures("inventory_demo_data")
@pytest.mark.parametrize("inbound", INBOUND, ids=[inbound.topic for inbound in INBOUND])
async def test_malformed_messages_go_to_the_dlq_and_valid_ones_are_applied(
    inbound: Inbound, platform: Platform, kafka_bootstrap: str, service_db_urls: dict[str, str]
) -> None:
    key = f"fuzz-{uuid.uuid4().hex}"
    messages = Messages(inbound, key).sequence()
    await publish(kafka_bootstrap, inbound.topic, key, messages)

    valid = [m for m in messages if m.kind == "valid"]
    unknown = [m for m in messages if m.kind == "unknown ce_type"]
    consumers = list(inbound.handled)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_SECONDS
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            done = {s: await ignored_types(http, platform.urls[s], inbound.topic) for s in consumers}
            waiting = {s: {_type_of(m) for m in unknown} - done[s] for s in consumers}
            if not any(waiting.values()) or loop.time() > deadline:
                break
            await asyncio.sleep(0.5)
    assert not any(waiting.values()), f"consumers stuck before the last message: {waiting}"

    for service, handler in inbound.appliers.items():
        ids = [m.event_id for m in valid if m.event_id is not None]
        assert len(ids) == len(valid)
        missing = set(ids) - await applied(service_db_urls[service], handler, ids)
        kinds = [m.kind for m in valid]
        assert not missing, f"{service} did not apply {len(missing)} of {len(ids)} valid messages {kinds}"

    cases = {m.case: m for m in messages}
    expected = sum(len(m.dead_letterers) for m in messages)
    records = await dead_letters(kafka_bootstrap, inbound.topic, set(cases), expected, SETTLE_SECONDS)
    per_case = Counter(_case_of(r.headers) for r in records)
    wrong = {
        cases[case].kind: (count, len(cases[case].dead_letterers))
        for case, count in per_case.items()
        if case is not None and count != len(cases[case].dead_letterers)
    }
    missing_cases = [m.kind for m in messages if m.dead_letterers and m.case not in per_case]
    assert not wrong, f"dead-lettered (times, expected): {wrong}"
    assert not missing_cases, f"not dead-lettered: {missing_cases}"
    for record in records:
        message = cases[str(_case_of(record.headers))]
        headers = {name: value for name, value in record.headers}
        code = (headers.get(X_ERROR_CODE) or b"").decode()
        assert code in message.dlq_codes, f"{message.kind}: {code} not in {set(message.dlq_codes)}"
        body = json.loads(headers[X_ERROR] or b"{}")
        assert body["code"] == code, body
        assert body["message"], body
        assert record.key == key.encode()
        assert record.value == message.value


async def test_a_value_failing_validation_many_times_is_dead_lettered(
    platform: Platform, kafka_bootstrap: str
) -> None:
    inbound = next(i for i in INBOUND if i.topic == topics.OMS_FULFILLMENT_ORDERS)
    key = f"fuzz-{uuid.uuid4().hex}"
    messages = Messages(inbound, key)
    many = messages.bad(
        "60,000 wrong entries", json_bytes({"items": list(range(60_000))}), {VALIDATION_FAILED}
    )
    last = messages.unknown_type()
    await publish(kafka_bootstrap, inbound.topic, key, [many, last])
    records = await dead_letters(kafka_bootstrap, inbound.topic, {many.case}, 1, SETTLE_SECONDS)
    assert [_case_of(r.headers) for r in records] == [many.case]
