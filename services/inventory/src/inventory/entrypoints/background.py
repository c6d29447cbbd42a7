"""Work that runs beside the HTTP and Kafka entrypoints, started with the service: the demo set
(LOAD_DEMO_DATA), the hold sweeper and the consumers' pause during batch windows.

`shared_runtime` has no hook for background tasks, so they start in the lifespan of the
service's router, which FastAPI runs inside the runtime's own (pool, migrations and consumers
are up by then), as the gateway does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from inventory.entrypoints.http.dependencies import Components
from inventory.service_layer.consumer_pause import ConsumersFollowWindow
from inventory.service_layer.data_loading import load_demo
from inventory.service_layer.hold_sweeper import HoldSweeper
from shared_runtime import ServiceRuntime

log = logging.getLogger(__name__)


def background_lifespan(components: Components) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    settings, window = components.settings, components.window

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: ServiceRuntime = app.state.runtime
        pool = runtime.pool
        if pool is None:
            raise RuntimeError("the service runtime did not open its database pool")
        if settings.load_demo_data:
            counts = await load_demo(pool)
            log.info("demo data loaded", extra={"counts": counts})
        follower = ConsumersFollowWindow(
            pool, window, runtime.subscriptions, interval=settings.batch_window_poll_seconds
        )
        await follower.check()
        app.state.consumers_follow_window = follower
        sweeper = HoldSweeper(
            pool,
            window,
            interval=settings.hold_sweep_interval_seconds,
            batch_size=settings.hold_sweep_batch_size,
        )
        tasks = [
            asyncio.create_task(follower.run(), name="inventory-batch-window"),
            asyncio.create_task(sweeper.run(), name="inventory-hold-sweeper"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan
