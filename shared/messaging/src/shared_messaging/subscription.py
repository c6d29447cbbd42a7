"""One topic's subscription: its partition workers, offsets, rebalance listener and pause."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition

from shared_messaging.dispatch import Outcome, PartitionDispatcher, RecordProcessor
from shared_messaging.lease import ConnectionLease
from shared_messaging.offsets import OffsetCommitter
from shared_messaging.settings import KafkaSettings


class SubscriptionListener(ConsumerRebalanceListener):  # type: ignore[misc]
    """Before revoked partitions go: finish their messages in hand and commit how far they were
    processed. Partitions assigned during a pause stay paused."""

    def __init__(self, subscription: Subscription) -> None:
        self._subscription = subscription

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        await self._subscription.dispatcher.revoked(revoked)

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._subscription.dispatcher.assigned(assigned)
        consumer = self._subscription.consumer
        if self._subscription.paused and consumer is not None:
            consumer.pause(*assigned)


class _Unsubscribed:
    """The processor of a Subscription made outside `subscribe()`: it handles nothing."""

    def lease(self) -> ConnectionLease:
        raise RuntimeError("a Subscription made outside subscribe() handles nothing")

    async def process(
        self, record: ConsumerRecord[Any, Any], lease: ConnectionLease | None = None
    ) -> Outcome:
        raise RuntimeError("a Subscription made outside subscribe() handles nothing")


class Subscription:
    """One topic's subscriber; `pause()` stops fetching and starting messages (nothing is lost),
    `resume()` goes on. Its partitions are handled concurrently, each in order (`dispatcher`),
    and their offsets committed in the background (`offsets`)."""

    def __init__(
        self,
        topic: str,
        group_id: str,
        settings: KafkaSettings | None = None,
        processor: RecordProcessor | None = None,
    ) -> None:
        settings = settings or KafkaSettings()
        self.topic = topic
        self.group_id = group_id
        self.paused = False
        self.subscriber: Any = None
        self.offsets = OffsetCommitter(topic, lambda: self.consumer, settings)
        self.dispatcher = PartitionDispatcher(
            topic,
            processor or _Unsubscribed(),
            self.offsets,
            lambda: self.consumer,
            lambda: self.paused,
            settings,
        )

    @property
    def consumer(self) -> AIOKafkaConsumer | None:
        consumer: AIOKafkaConsumer | None = getattr(self.subscriber, "consumer", None)
        return consumer

    def pause(self) -> None:
        self.paused = True
        consumer = self.consumer
        if consumer is not None:
            consumer.pause(*consumer.assignment())

    def resume(self) -> None:
        self.paused = False
        consumer = self.consumer
        if consumer is not None:
            consumer.resume(*(consumer.assignment() - self.dispatcher.fetch_paused()))
        self.dispatcher.wake()

    async def close(self) -> None:
        """Before the consumer stops: finish the messages in hand, commit what was processed."""
        await self.dispatcher.close()


def pause_all(subscriptions: Iterable[Subscription]) -> None:
    for subscription in subscriptions:
        subscription.pause()


def resume_all(subscriptions: Iterable[Subscription]) -> None:
    for subscription in subscriptions:
        subscription.resume()
