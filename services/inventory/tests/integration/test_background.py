"""What starts with the service beside HTTP and Kafka: the demo set when LOAD_DEMO_DATA is set,
the sweeper and the consumers following the batch window."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import FastAPI

from inventory.bootstrap import components
from inventory.config import Settings
from inventory.entrypoints.background import background_lifespan


async def test_the_demo_set_loads_on_start_and_the_background_tasks_stop_with_the_service(inventory):
    pool = inventory.runtime.pool
    settings = Settings(database_url="unused", load_demo_data=True, hold_sweep_interval_seconds=0.05)
    app = FastAPI()
    app.state.runtime = SimpleNamespace(pool=pool, subscriptions=[])

    async with background_lifespan(components(settings))(app):
        follower = app.state.consumers_follow_window
        assert follower.paused is False
        assert await pool.fetchval("SELECT count(*) FROM items WHERE item = '100100068'") == 1
        demo_reservation = "SELECT count(*) FROM reservations WHERE customer_order_no = '180008'"
        assert await pool.fetchval(demo_reservation) == 1
