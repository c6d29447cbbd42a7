"""The batch window as the use cases and operators see it: refuse writes while it is active,
start and stop it by hand, and report it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from inventory.adapters import batch_window as window_store
from inventory.domain.batch_window import (
    DailyWindow,
    WindowRecord,
    WindowState,
    after_stop,
    next_scheduled_start,
    window_state,
)
from inventory.domain.errors import WritesPausedError

UNAVAILABLE_MESSAGE = "This service is not available while batches that affect inventory are in progress"


@dataclass(frozen=True)
class WindowReport:
    state: WindowState
    schedule: tuple[DailyWindow, ...]
    now: datetime
    next_start: datetime | None


class BatchWindow:
    def __init__(self, schedule: Sequence[DailyWindow]) -> None:
        self.schedule = tuple(schedule)

    async def state(self, conn: asyncpg.Connection | asyncpg.Pool) -> WindowState:
        record, now = await window_store.read(conn)
        return window_state(now, self.schedule, record)

    async def ensure_writes_allowed(self, conn: asyncpg.Connection) -> None:
        """Raise `WritesPausedError` while the window is active (read in the write's transaction)."""
        state = await self.state(conn)
        if state.active:
            until = f" (until {state.ends_at:%H:%M} UTC)" if state.ends_at else ""
            raise WritesPausedError(
                f"{UNAVAILABLE_MESSAGE}: {state.reason or 'batch window'}{until}", state.ends_at
            )

    async def start(self, conn: asyncpg.Connection, reason: str, by: str) -> WindowState:
        record, now = await window_store.lock(conn)
        if record.manual_since is None:
            record = WindowRecord(now, reason, record.skip_scheduled_until)
            await window_store.write(conn, record, by)
        return window_state(now, self.schedule, record)

    async def stop(self, conn: asyncpg.Connection, by: str) -> WindowState:
        record, now = await window_store.lock(conn)
        stopped = after_stop(now, self.schedule, record)
        await window_store.write(conn, stopped, by)
        return window_state(now, self.schedule, stopped)

    async def report(self, conn: asyncpg.Connection | asyncpg.Pool) -> WindowReport:
        record, now = await window_store.read(conn)
        return WindowReport(
            window_state(now, self.schedule, record),
            self.schedule,
            now,
            next_scheduled_start(now, self.schedule),
        )
