"""Partitions handled concurrently, each one strictly in order.

FastStream's poll loop hands every record to `submit()`, which queues it for its partition and
returns at once. One worker task per partition takes its records one at a time, in offset order;
at most `consumer_max_in_flight` messages of the subscription are handled at the same time.
Records of one key share a partition, so each key's events are handled in order.

- A partition whose queue reaches `consumer_partition_buffer` records stops fetching until its
  worker catches up (flow control; the poll loop itself never blocks, so the consumer stays
  within `max.poll.interval.ms`).
- "retry" (retry window over): the worker seeks the consumer back to the record and drops what
  it queued after it; the records fetched before the seek are skipped until the record comes again.
- After handling, the record's position goes to the `OffsetCommitter`.
- Revocation and stop: each worker finishes the message it is handling (at most
  `kafka_graceful_timeout_seconds`, then it is cancelled and that message is redelivered later),
  queued records are dropped (they were not committed) and the positions are committed.
- While the subscription is paused, workers start no new message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared_messaging.offsets import OffsetCommitter
from shared_messaging.settings import KafkaSettings

_logger = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[Any, Any]
Outcome: TypeAlias = Literal["ok", "duplicate", "ignored", "dlq", "retry"]
Process: TypeAlias = Callable[[Record], Awaitable[Outcome]]


@dataclass(eq=False)
class _Partition:
    tp: TopicPartition
    queue: deque[Record] = field(default_factory=deque)
    signal: asyncio.Event = field(default_factory=asyncio.Event)  # records, resume or closing
    rewound_to: int | None = None  # after a seek: skip records until this offset comes again
    fetch_paused: bool = False  # flow control
    closing: bool = False
    worker: asyncio.Task[None] | None = None


class PartitionDispatcher:
    """Per-partition workers of one subscription (see the module's docstring)."""

    def __init__(
        self,
        topic: str,
        process: Process,
        offsets: OffsetCommitter,
        consumer: Callable[[], AIOKafkaConsumer | None],
        paused: Callable[[], bool],
        settings: KafkaSettings,
    ) -> None:
        self._topic = topic
        self._process = process
        self._offsets = offsets
        self._consumer = consumer
        self._paused = paused
        self._in_flight = asyncio.Semaphore(settings.consumer_max_in_flight)
        self._buffer = settings.consumer_partition_buffer
        self._grace = settings.kafka_graceful_timeout_seconds
        self._partitions: dict[TopicPartition, _Partition] = {}
        self._assigned: set[TopicPartition] = set()
        self._closed = False
        self._in_transit: Record | None = None
        self._stale: Record | None = None

    # -- called by the poll loop and the rebalance listener ---------------------------------------

    def fetched(self, record: Record) -> None:
        """The poll loop got `record` (called by the parser, before the loop yields); FastStream
        may yield before `submit()`, so a rebalance can happen while the record is in transit."""
        self._in_transit = record

    def submit(self, record: Record) -> None:
        """Queue `record` for its partition's worker (never blocks)."""
        tp = TopicPartition(record.topic, record.partition)
        stale = record is self._stale
        self._in_transit = self._stale = None
        if stale or self._closed or tp not in self._assigned:
            return  # fetched before a revocation: not committed, fetched again from the commit
        part = self._partitions.get(tp)
        if part is None:
            part = self._partitions[tp] = _Partition(tp)
            part.worker = asyncio.create_task(self._work(part), name=f"partition-{tp.topic}-{tp.partition}")
        part.queue.append(record)
        part.signal.set()
        if len(part.queue) >= self._buffer and not part.fetch_paused:
            part.fetch_paused = True
            if (consumer := self._consumer()) is not None:
                consumer.pause(tp)

    def assigned(self, partitions: Iterable[TopicPartition]) -> None:
        self._closed = False
        self._assigned.update(partitions)

    async def revoked(self, partitions: Iterable[TopicPartition]) -> None:
        """Finish the messages in hand, drop the queued ones, commit, before giving them up."""
        revoked = set(partitions)
        self._assigned -= revoked
        record = self._in_transit
        if record is not None and TopicPartition(record.topic, record.partition) in revoked:
            self._stale = record
        await self._close_partitions([p for tp, p in self._partitions.items() if tp in revoked])
        await self._offsets.commit(revoked)
        self._offsets.forget(revoked)

    async def close(self) -> None:
        """The subscriber stops: finish the messages in hand, then commit everything processed."""
        self._closed = True
        self._assigned.clear()
        await self._close_partitions(list(self._partitions.values()))
        await self._offsets.close()

    def fetch_paused(self) -> set[TopicPartition]:
        """Partitions paused by flow control (resuming the subscription leaves them paused)."""
        return {tp for tp, part in self._partitions.items() if part.fetch_paused}

    def wake(self) -> None:
        """The subscription was resumed: workers go on."""
        for part in self._partitions.values():
            part.signal.set()

    # -- workers -----------------------------------------------------------------------------------

    async def _work(self, part: _Partition) -> None:
        while not part.closing:
            if not part.queue or self._paused():
                part.signal.clear()
                await part.signal.wait()
                continue
            record = part.queue.popleft()
            if part.rewound_to is not None:
                if record.offset != part.rewound_to:
                    continue  # fetched before the seek back; it comes again in order
                part.rewound_to = None
            async with self._in_flight:
                outcome = await self._process(record)
            if outcome == "retry":
                self._seek_back(part, record)
            else:
                self._offsets.processed(record)
            if part.fetch_paused and len(part.queue) <= self._buffer // 2:
                self._resume_fetching(part)

    def _seek_back(self, part: _Partition, record: Record) -> None:
        """Fetch `record` again (and what follows it); what was queued after it is stale."""
        part.queue.clear()
        part.rewound_to = record.offset
        consumer = self._consumer()
        try:
            if consumer is not None:
                consumer.seek(part.tp, record.offset)
        except Exception as error:  # e.g. the partition was revoked: its new owner gets it
            _logger.warning("%s: could not seek back for a retry: %r", self._topic, error)
        if part.fetch_paused:
            self._resume_fetching(part)

    def _resume_fetching(self, part: _Partition) -> None:
        part.fetch_paused = False
        consumer = self._consumer()
        if consumer is not None and not self._paused() and part.tp in consumer.assignment():
            consumer.resume(part.tp)

    async def _close_partitions(self, parts: list[_Partition]) -> None:
        for part in parts:
            part.closing = True
            part.signal.set()
            self._partitions.pop(part.tp, None)
        workers = {part.worker for part in parts if part.worker is not None}
        if not workers:
            return
        _, late = await asyncio.wait(workers, timeout=self._grace)
        for worker in late:
            _logger.warning("%s: a message took longer than the grace period; cancelled", self._topic)
            worker.cancel()
        for worker in late:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker
