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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared_messaging.lease import ConnectionLease
from shared_messaging.offsets import OffsetCommitter
from shared_messaging.settings import KafkaSettings

_logger = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[Any, Any]
Outcome: TypeAlias = Literal["ok", "duplicate", "ignored", "dlq", "retry"]


class RecordProcessor(Protocol):
    """What handles one record (`MessageProcessor`), on the connection of a lease."""

    def lease(self) -> ConnectionLease: ...

    async def process(self, record: Record, lease: ConnectionLease | None = None) -> Outcome: ...


_RUN_LIMIT = 32
"""Messages a worker handles in a row on one connection and in-flight slot before it lets other
partitions have them."""


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
        processor: RecordProcessor,
        offsets: OffsetCommitter,
        consumer: Callable[[], AIOKafkaConsumer | None],
        paused: Callable[[], bool],
        settings: KafkaSettings,
    ) -> None:
        self._topic = topic
        self._processor = processor
        self._offsets = offsets
        self._consumer = consumer
        self._paused = paused
        self._in_flight = asyncio.Semaphore(settings.consumer_max_in_flight)
        self._buffer = settings.consumer_partition_buffer
        self._grace = settings.kafka_graceful_timeout_seconds
        self._partitions: dict[TopicPartition, _Partition] = {}
        self._assigned: set[TopicPartition] = set()
        self._closed = False
        self._in_transit: Sequence[Record] = ()
        self._stale: set[int] = set()  # ids of in-transit records whose partition was revoked

    # -- called by the poll loop and the rebalance listener ---------------------------------------

    def fetched(self, records: Sequence[Record]) -> None:
        """The poll loop got `records` (called by the parser, before the loop yields); FastStream
        may yield before `submit()`, so a rebalance can happen while they are in transit."""
        self._in_transit = records

    def submit(self, records: Iterable[Record]) -> None:
        """Queue each record for its partition's worker (never blocks)."""
        stale, self._stale, self._in_transit = self._stale, set(), ()
        for record in records:
            if id(record) not in stale:
                self._queue(record)

    def _queue(self, record: Record) -> None:
        tp = TopicPartition(record.topic, record.partition)
        if self._closed or tp not in self._assigned:
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
        self._stale.update(
            id(record)
            for record in self._in_transit
            if TopicPartition(record.topic, record.partition) in revoked
        )
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
            async with self._in_flight:
                lease = self._processor.lease()
                try:
                    await self._run(part, lease)
                finally:
                    await self._give_back(lease)

    async def _run(self, part: _Partition, lease: ConnectionLease) -> None:
        """Handle queued records in order, on one connection, until the queue is empty, the
        partition closes, the subscription pauses, a record must be retried or the run is long."""
        for _ in range(_RUN_LIMIT):
            if not part.queue or part.closing or self._paused():
                return
            record = part.queue.popleft()
            if part.rewound_to is not None:
                if record.offset != part.rewound_to:
                    continue  # fetched before the seek back; it comes again in order
                part.rewound_to = None
            outcome = await self._processor.process(record, lease)
            if outcome == "retry":
                self._seek_back(part, record)
                return
            self._offsets.processed(record)
            if part.fetch_paused and len(part.queue) <= self._buffer // 2:
                self._resume_fetching(part)

    async def _give_back(self, lease: ConnectionLease) -> None:
        try:
            await lease.release()
        except Exception as error:  # the pool closes a connection it cannot reset
            _logger.warning("%s: releasing a connection: %r", self._topic, error)

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
