"""Consumer lag per topic and partition, sampled into the `kafka_consumer_lag` gauge.

Lag is the partition's end offset minus this replica's processed position: the position recorded
by its offset committer (ahead of the last commit, which is batched), else the group's committed
offset, else the partition's beginning (a group that never committed starts there). Only
partitions assigned to this replica are reported; a revoked partition's series is removed, so
`sum by (topic)` over the replicas gives the group's lag.

The end offsets come from a ListOffsets request per sample rather than from the fetch responses'
high watermark: a paused subscription (the inventory's batch window) fetches nothing, and its
lag must still grow while it is paused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import TopicPartition

from shared_messaging.backoff import sleep_unless
from shared_messaging.subscription import Subscription
from shared_observability.metrics import clear_consumer_lag, set_consumer_lag

_logger = logging.getLogger(__name__)


async def sample_lag(subscription: Subscription) -> dict[TopicPartition, int]:
    """The lag of each partition `subscription` holds now (empty before it is assigned any)."""
    consumer = subscription.consumer
    if consumer is None:
        return {}
    assigned = sorted(consumer.assignment())
    if not assigned:
        return {}
    ends = await consumer.end_offsets(assigned)
    unknown = [tp for tp in assigned if subscription.offsets.position(tp) is None]
    starts: dict[TopicPartition, int] = {}
    for tp in unknown:
        committed = await consumer.committed(tp)
        if committed is not None:
            starts[tp] = committed
    never_committed = [tp for tp in unknown if tp not in starts]
    if never_committed:
        starts.update(await consumer.beginning_offsets(never_committed))
    lag: dict[TopicPartition, int] = {}
    for tp in assigned:
        position = subscription.offsets.position(tp)
        if position is None:
            position = starts[tp]
        lag[tp] = max(0, ends[tp] - position)
    return lag


class ConsumerLagSampler:
    """Refreshes the lag gauge of `service`'s subscriptions every `interval` seconds."""

    def __init__(
        self, service: str, subscriptions: Sequence[Subscription], interval: float, bound: float = 10.0
    ) -> None:
        self._service = service
        self._subscriptions = subscriptions
        self._interval = interval
        self._bound = bound  # a sample waiting on a rebalancing coordinator is given up, not awaited
        self._reported: set[TopicPartition] = set()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._subscriptions:
            self._task = asyncio.create_task(self._run(), name=f"consumer-lag-{self._service}")

    async def stop(self) -> None:
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def refresh(self) -> None:
        held: set[TopicPartition] = set()
        for subscription in self._subscriptions:
            try:
                lag = await asyncio.wait_for(sample_lag(subscription), self._bound)
            except Exception as error:  # the broker is away: keep the last figures, try again later
                _logger.debug("%s: consumer lag not sampled: %r", subscription.topic, error)
                held.update(tp for tp in self._reported if tp.topic == subscription.topic)
                continue
            for tp, messages in lag.items():
                set_consumer_lag(self._service, tp.topic, tp.partition, messages)
            held.update(lag)
        for tp in self._reported - held:
            clear_consumer_lag(self._service, tp.topic, tp.partition)
        self._reported = held

    async def _run(self) -> None:
        while not self._stopping.is_set():
            await self.refresh()
            await sleep_unless(self._stopping, self._interval)
