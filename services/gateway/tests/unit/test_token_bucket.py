"""Token buckets: burst, refill at the rate, Retry-After, bounded memory."""

import math

import pytest

from gateway.domain.token_bucket import RateLimiter, retry_after_header


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_requests_wait_for_the_refill() -> None:
    clock = Clock()
    limiter = RateLimiter(2.0, 3, clock=clock)
    assert [limiter.acquire("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0


def test_keys_have_their_own_buckets() -> None:
    limiter = RateLimiter(1.0, 1, clock=Clock())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_refill_stops_at_the_burst() -> None:
    clock = Clock()
    limiter = RateLimiter(10.0, 2, clock=clock)
    limiter.acquire("a")
    clock.now += 3600
    assert [limiter.acquire("a") for _ in range(3)][:2] == [0.0, 0.0]
    assert limiter.acquire("a") > 0


def test_blocked_for_reports_without_taking() -> None:
    clock = Clock()
    limiter = RateLimiter(1.0, 2, clock=clock)
    assert limiter.blocked_for("a") == 0.0
    limiter.acquire("a")
    assert limiter.blocked_for("a") == 0.0
    limiter.acquire("a")
    assert limiter.blocked_for("a") == pytest.approx(1.0)
    assert limiter.blocked_for("a") == pytest.approx(1.0)


def test_a_zero_rate_turns_the_limit_off() -> None:
    limiter = RateLimiter(0.0, 1, clock=Clock())
    assert all(limiter.acquire("a") == 0.0 for _ in range(100))


def test_memory_is_bounded_by_forgetting_the_least_recently_used_key() -> None:
    limiter = RateLimiter(1.0, 1, clock=Clock(), max_keys=2)
    limiter.acquire("a")
    limiter.acquire("b")
    limiter.acquire("a")
    limiter.acquire("c")
    assert limiter.blocked_for("a") > 0
    assert limiter.blocked_for("b") == 0.0


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert retry_after_header(0.01) == "1"
    assert retry_after_header(1.2) == "2"
    assert retry_after_header(math.inf) == "3600"
