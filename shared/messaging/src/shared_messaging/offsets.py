"""Offset commits off the per-message path.

After a message's handling is over (its handler transaction committed, or it was ignored or
dead-lettered), `processed(record)` records the partition's next position (offset + 1). A
background task commits the recorded positions every `consumer_commit_interval_seconds`, or
sooner once `consumer_commit_batch` messages accumulated; `commit()` also runs synchronously
when partitions are revoked and when the subscription stops.

A position is recorded only after the message's transaction committed, and messages of one
partition are handled in order, so a committed offset never passes a message whose effect is not
durable. A crash loses at most the positions recorded since the last commit: those messages are
delivered again and the inbox turns them into no-ops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from shared_messaging.backoff import sleep_unless
from shared_messaging.settings import KafkaSettings

_logger = logging.getLogger(__name__)

ConsumerGetter = Callable[[], AIOKafkaConsumer | None]


class OffsetCommitter:
    """Positions of processed messages per partition, and their commits (one per subscription)."""

    def __init__(self, topic: str, consumer: ConsumerGetter, settings: KafkaSettings) -> None:
        self._topic = topic
        self._consumer = consumer
        self._interval = settings.consumer_commit_interval_seconds
        self._batch = settings.consumer_commit_batch
        self._bound = settings.kafka_send_timeout_seconds
        self._positions: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._uncommitted = 0
        self._due = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def processed(self, record: ConsumerRecord[Any, Any]) -> None:
        """The message at `record` is done: the partition may be committed past it."""
        self._positions[TopicPartition(record.topic, record.partition)] = record.offset + 1
        self._uncommitted += 1
        if self._uncommitted >= self._batch:
            self._due.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"offset-commits-{self._topic}")

    def position(self, tp: TopicPartition) -> int | None:
        """The next offset to process in `tp`, if a message of it was processed here (lag metric)."""
        return self._positions.get(tp)

    def pending(self) -> dict[TopicPartition, int]:
        """Recorded positions not committed yet."""
        return {
            tp: position for tp, position in self._positions.items() if position > self._committed.get(tp, -1)
        }

    async def commit(self, partitions: Iterable[TopicPartition] | None = None) -> bool:
        """Commit the recorded positions (of `partitions` only, if given) within the send bound;
        False if the commit failed (the positions stay recorded and are committed later)."""
        async with self._lock:
            wanted = None if partitions is None else set(partitions)
            consumer = self._consumer()
            offsets = {
                tp: position for tp, position in self.pending().items() if wanted is None or tp in wanted
            }
            if consumer is not None:
                assigned = consumer.assignment()
                offsets = {tp: position for tp, position in offsets.items() if tp in assigned}
            if not offsets or consumer is None:
                return True
            self._uncommitted = 0
            try:
                await asyncio.wait_for(
                    consumer.commit({tp: OffsetAndMetadata(o, "") for tp, o in offsets.items()}),
                    self._bound,
                )
            except Exception as error:  # redelivered later at worst; the inbox makes that a no-op
                _logger.warning("%s: offset commit failed: %r", self._topic, error)
                return False
            self._committed.update(offsets)
            return True

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        """Drop what is known of partitions this consumer no longer owns."""
        for tp in partitions:
            self._positions.pop(tp, None)
            self._committed.pop(tp, None)

    async def close(self) -> None:
        """Stop the background task, then commit what was processed (the stop path)."""
        await self.stop_background()
        await self.commit()

    async def stop_background(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await sleep_unless(self._due, self._interval)
            self._due.clear()
            if self.pending():
                await self.commit()
