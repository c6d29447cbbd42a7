"""Bounds derived from the settings."""

from shared_messaging.settings import KafkaSettings


def test_starting_subscribers_may_wait_out_a_rebalance_but_stays_bounded() -> None:
    default = KafkaSettings(kafka_start_timeout_seconds=15)
    assert default.broker_start_timeout_seconds() == default.max_poll_interval_ms() / 1000 + 15
    short_poll = KafkaSettings(kafka_start_timeout_seconds=40, consumer_max_poll_interval_ms=10_000)
    assert short_poll.broker_start_timeout_seconds() == 40
