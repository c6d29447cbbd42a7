"""A record too large for its DLQ goes there as its error alone, so the partition moves on."""

from __future__ import annotations

import json

from aiokafka import AIOKafkaProducer

from shared_contracts.topics import dlq
from shared_messaging.dlq import DeadLetterPublisher, PermanentError
from shared_messaging.settings import KafkaSettings
from shared_messaging.testing import read_records


def small_request_producer(settings: KafkaSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=True,
        max_request_size=4096,
    )


async def test_a_record_too_large_for_the_dlq_is_dead_lettered_as_its_error(
    settings: KafkaSettings, event_topic, kafka_bootstrap: str
) -> None:
    topic = await event_topic(partitions=1)
    publisher = DeadLetterPublisher(settings, producer_factory=lambda: small_request_producer(settings))
    error = PermanentError("refused by a rule").error_body("trace-9")
    try:
        await publisher.publish(
            topic,
            key=b"big",
            value=b"x" * 10_000,
            headers=[("ce_type", b"TestPing")],
            error=error,
            origin=f"{topic}[0]@7",
        )
        await publisher.publish(
            topic, key=b"small", value=b"{}", headers=[("ce_type", b"TestPing")], error=error, origin="-"
        )
    finally:
        await publisher.stop()

    big, small = await read_records(kafka_bootstrap, dlq(topic), count=2)
    assert (big.key, big.value) == (b"big", None)
    assert [name for name, _ in big.headers] == ["x-error-code", "x-error"]
    body = json.loads(dict(big.headers)["x-error"])
    assert body["code"] == "BUSINESS_RULE_VIOLATION"
    assert body["traceId"] == "trace-9"
    assert body["message"].startswith("refused by a rule [the original record (10000 bytes of value)")
    assert f"at {topic}[0]@7" in body["message"]
    assert (small.key, small.value) == (b"small", b"{}")  # a record that fits goes unchanged
    assert dict(small.headers)["ce_type"] == b"TestPing"
