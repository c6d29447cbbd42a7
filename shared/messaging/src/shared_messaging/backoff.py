"""Capped exponential back-off with jitter, shared by the relay and the consumers."""

from __future__ import annotations

import asyncio
import random


def backoff_delay(attempt: int, initial: float, maximum: float) -> float:
    """Delay before retry number `attempt` (1-based): doubles from `initial`, capped at `maximum`;
    between half and all of it, so replicas failing together do not retry in lockstep."""
    ceiling: float = min(maximum, initial * 2 ** max(0, attempt - 1))
    return random.uniform(ceiling / 2, ceiling)


async def sleep_unless(event: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds` or until `event` is set; True when the event ended the sleep."""
    if event.is_set():
        return True
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        return False
    return True
