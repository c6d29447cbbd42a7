"""Kafka and messaging settings read from the environment (no I/O at import)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """Every network wait of the messaging layer is bounded by one of these values.

    Environment variables have the field's name in upper case (e.g. `KAFKA_BOOTSTRAP_SERVERS`,
    `OUTBOX_BATCH_SIZE`).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"

    # Client-side bounds (aiokafka's own request timeout, then our asyncio bounds around it).
    kafka_request_timeout_ms: int = Field(default=10_000, ge=1_000)
    kafka_start_timeout_seconds: float = Field(default=15.0, gt=0)
    kafka_send_timeout_seconds: float = Field(default=15.0, gt=0)
    kafka_stop_timeout_seconds: float = Field(default=10.0, gt=0)
    # No linger: the relay hands a whole batch to the producer at once (its records are batched
    # anyway) and then waits for the acknowledgements, so lingering only delays every batch
    # (measured: relay commit->ack p50 ~20 ms with 5 ms, ~2-7 ms with 0, at 300 events/s).
    kafka_linger_ms: int = Field(default=0, ge=0)
    # Per-partition producer batch: large enough that a relay batch needs few produce requests.
    kafka_max_batch_bytes: int = Field(default=256 * 1024, ge=16 * 1024)
    kafka_graceful_timeout_seconds: float = Field(default=15.0, gt=0)

    # Topic administration.
    kafka_topic_partitions: int = Field(default=6, ge=1)
    kafka_replication_factor: int = Field(default=1, ge=1)

    # Outbox relay.
    outbox_batch_size: int = Field(default=500, ge=1)
    # Fallback only: a commit wakes the relay (`wakeup`); the poll finds what writers in processes
    # without a relay of the schema wrote, and what a lost wake-up left.
    outbox_poll_interval_seconds: float = Field(default=0.5, gt=0)
    # After a read that found rows (but not a full batch), the next read waits until this long
    # after it: under a steady stream one read / send / delete carries what arrived meanwhile, and
    # each consumer's fetch brings it (ADR 0022: 20 ms halves the broker's and consumers' work of
    # 10 ms, commit -> handler p99 unchanged).
    outbox_read_interval_ms: int = Field(default=20, ge=0)
    outbox_lock_retry_seconds: float = Field(default=1.0, gt=0)
    outbox_lag_refresh_seconds: float = Field(default=5.0, gt=0)
    # Consumers: how often the consumer lag gauge is sampled (end offsets from the broker).
    consumer_lag_refresh_seconds: float = Field(default=5.0, gt=0)
    outbox_db_timeout_seconds: float = Field(default=10.0, gt=0)

    # Retries (relay and consumers): exponential back-off between these bounds.
    retry_backoff_initial_seconds: float = Field(default=0.2, gt=0)
    retry_backoff_max_seconds: float = Field(default=10.0, gt=0)

    # Consumers: attempts of a handler failing with an unexpected error before the DLQ.
    handler_max_attempts: int = Field(default=5, ge=1)
    # Consumers: longest time a message is retried in place before it is handed back to the poll
    # loop (seek to its offset) and retried from there; keeps the consumer within max.poll.interval.
    consumer_retry_window_seconds: float = Field(default=30.0, gt=0)
    # Consumers: processed positions are committed in the background, this often, or sooner once
    # this many messages are done; and synchronously on partition revocation and on stop.
    consumer_commit_interval_seconds: float = Field(default=0.1, gt=0)
    consumer_commit_batch: int = Field(default=200, ge=1)
    # Consumers: partitions are handled concurrently (each in order), at most this many messages
    # of one subscription at a time (each holds a pool connection while it runs).
    consumer_max_in_flight: int = Field(default=4, ge=1)
    # Consumers: a partition with this many fetched records waiting stops fetching until half are done.
    consumer_partition_buffer: int = Field(default=200, ge=2)
    # Consumers: a poll returns as soon as records arrive, or empty after this long (then the next
    # poll starts at once); also how long stopping a subscriber may wait for its poll to end.
    consumer_poll_timeout_ms: int = Field(default=500, ge=1)
    # Consumers: after a poll that returned records, the next one starts this long after it at the
    # earliest (one fetch request per this long under a steady stream instead of one per record;
    # a record arriving while the subscriber is idle is not delayed). 0: poll again at once.
    consumer_fetch_linger_ms: int = Field(default=10, ge=0)
    # Consumers: longest time between two polls before the broker drops the member from its group.
    # Unset: three retry windows, at least 60 s (a message retried in place never exceeds it).
    # The fault suite sets a short one to show a consumer paused beyond it rejoins and loses nothing.
    consumer_max_poll_interval_ms: int | None = Field(default=None, ge=1_000)

    def max_poll_interval_ms(self) -> int:
        if self.consumer_max_poll_interval_ms is not None:
            return self.consumer_max_poll_interval_ms
        return int(max(60.0, 3 * self.consumer_retry_window_seconds) * 1000)

    def broker_start_timeout_seconds(self) -> float:
        """The bound of starting the subscribers: aiokafka's start waits for the group's partition
        assignment, and after a replica was killed the group waits up to the rebalance timeout (the
        max poll interval) for the dead member before it assigns. An unreachable broker still
        fails fast (bootstrap), within `kafka_start_timeout_seconds`'s own client bounds."""
        return max(self.kafka_start_timeout_seconds, self.max_poll_interval_ms() / 1000 + 15)
