"""Token buckets: `rate` tokens per second up to `burst`; a request takes one or waits.

`RateLimiter` keeps one bucket per key in process memory, bounded in size (least recently used
keys are forgotten first; a forgotten bucket is a full one, which is the lenient side).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self._refill(now)
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return math.inf
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> float:
        """Take a token: 0 when taken, else the seconds to wait before one is available."""
        wait = self.wait_time(now)
        if wait == 0.0:
            self.tokens -= 1.0
        return wait


class RateLimiter:
    def __init__(
        self, rate: float, burst: int, *, clock: Clock = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst, self.burst, self.clock())
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket

    def acquire(self, key: str) -> float:
        """Take a token for `key`: 0 when allowed, else the seconds until it would be."""
        if not self.enabled:
            return 0.0
        return self._bucket(key).take(self.clock())

    def blocked_for(self, key: str) -> float:
        """Seconds until `key` has a token again, without taking one (0 when it has one)."""
        if not self.enabled or key not in self._buckets:
            return 0.0
        return self._buckets[key].wait_time(self.clock())


def retry_after_header(wait_seconds: float) -> str:
    """`Retry-After` in whole seconds, at least 1."""
    if math.isinf(wait_seconds):
        return "3600"
    return str(max(1, math.ceil(wait_seconds)))
