"""Each replica pauses its Kafka consumers while the batch window is active and resumes them
after it; nothing is committed while paused, so every message sent meanwhile is applied later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg

from inventory.service_layer.batch_window import BatchWindow
from shared_messaging import Subscription, pause_all, resume_all

log = logging.getLogger(__name__)


class ConsumersFollowWindow:
    def __init__(
        self,
        pool: asyncpg.Pool,
        window: BatchWindow,
        subscriptions: Sequence[Subscription],
        *,
        interval: float,
    ) -> None:
        self._pool = pool
        self._window = window
        self._subscriptions = subscriptions
        self._interval = interval
        self.paused = False

    async def check(self) -> None:
        active = (await self._window.state(self._pool)).active
        if active and not self.paused:
            pause_all(self._subscriptions)
            self.paused = True
            log.info("batch window active: Kafka consumers paused")
        elif not active and self.paused:
            resume_all(self._subscriptions)
            self.paused = False
            log.info("batch window over: Kafka consumers resumed")

    async def run(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.warning("reading the batch window failed; retrying", exc_info=True)
            await asyncio.sleep(self._interval)
