"""Releasing holds nobody confirmed in time. Every replica sweeps; `FOR UPDATE SKIP LOCKED` hands
each expired line to exactly one sweeper, and the line's status change is in the same transaction
as the stock release and the InventoryReleased event."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.reservations import ExpiredLine
from inventory.adapters.stock import StockChange
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import inventory_released
from shared_messaging import add_event
from shared_observability.metrics import count_reservation

log = logging.getLogger(__name__)

EXPIRED = "EXPIRED"


async def sweep_once(pool: asyncpg.Pool, window: BatchWindow, limit: int) -> int:
    """Release up to `limit` expired hold lines; how many were released. Nothing in a batch window."""
    async with pool.acquire() as conn, conn.transaction():
        if (await window.state(conn)).active:
            return 0
        expired = await reservation_store.expire_due(conn, limit)
        if not expired:
            return 0
        await stock.change_customer_reserved(
            conn, [StockChange(e.line.item, e.line.location, -e.quantity) for e in expired], partial=True
        )
        by_reservation: dict[uuid.UUID, list[ExpiredLine]] = defaultdict(list)
        for line in expired:
            by_reservation[line.reservation.reservation_id].append(line)
        for lines in by_reservation.values():
            event = inventory_released(lines[0].reservation, [(e.line, e.quantity) for e in lines], EXPIRED)
            if event is not None:
                await add_event(conn, event)
    count_reservation("inventory", "expired", len(by_reservation))
    return len(expired)


class HoldSweeper:
    """Sweeps until nothing is due, then waits `interval` seconds; failures are logged and retried."""

    def __init__(self, pool: asyncpg.Pool, window: BatchWindow, *, interval: float, batch_size: int) -> None:
        self._pool = pool
        self._window = window
        self._interval = interval
        self._batch_size = batch_size

    async def run(self) -> None:
        while True:
            try:
                while await sweep_once(self._pool, self._window, self._batch_size) >= self._batch_size:
                    pass
            except Exception:
                log.warning("sweeping expired holds failed; retrying", exc_info=True)
            await asyncio.sleep(self._interval)
