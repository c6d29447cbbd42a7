"""The consumer lag gauge on the real broker: it counts what a replica has not processed yet, falls
to 0 once processed, and each replica reports only the partitions it holds."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from shared_messaging.consumer import NamedHandler
from shared_messaging.lag import ConsumerLagSampler
from shared_messaging.testing import wait_until
from shared_observability.metrics import REGISTRY

from .pings import ping_headers, ping_value


def reported(service: str, topic: str) -> dict[int, float]:
    """The `kafka_consumer_lag` series of `service` and `topic`: partition -> lag."""
    return {
        int(sample.labels["partition"]): sample.value
        for family in REGISTRY.collect()
        if family.name == "kafka_consumer_lag"
        for sample in family.samples
        if sample.labels["service"] == service and sample.labels["topic"] == topic
    }


async def test_lag_counts_unprocessed_messages_and_each_replica_reports_only_its_partitions(
    applied_table, event_topic, start_consumer, send_raw
):
    topic = await event_topic(partitions=2)
    group = f"svc-{uuid.uuid4().hex[:6]}"
    gate = asyncio.Event()

    async def held_until_the_gate_opens(conn: Any, event: Any, meta: Any) -> None:
        await gate.wait()

    handlers = {"TestPing": NamedHandler("held", held_until_the_gate_opens)}
    first = await start_consumer(topic, group_id=group, handlers=handlers, pool=applied_table)
    samplers = [ConsumerLagSampler("replica-a", [first], interval=0.1)]
    samplers[0].start()
    try:
        for seq in range(1, 5):
            await send_raw(topic, ping_value("k", seq), key=b"k", headers=ping_headers("k"))

        await wait_until(
            lambda: sorted(reported("replica-a", topic).values()) == [0, 4],
            seconds=20,
            message="4 messages of one key waiting behind the held handler, none elsewhere",
        )
        gate.set()
        await wait_until(
            lambda: set(reported("replica-a", topic).values()) == {0},
            seconds=20,
            message="lag 0 once processed",
        )

        second = await start_consumer(topic, group_id=group, handlers=handlers, pool=applied_table)
        samplers.append(ConsumerLagSampler("replica-b", [second], interval=0.1))
        samplers[1].start()

        def split() -> bool:
            a, b = reported("replica-a", topic), reported("replica-b", topic)
            return len(a) == 1 and len(b) == 1 and set(a) | set(b) == {0, 1}

        await wait_until(split, seconds=30, message="one partition reported by each replica")
    finally:
        for sampler in samplers:
            await sampler.stop()
