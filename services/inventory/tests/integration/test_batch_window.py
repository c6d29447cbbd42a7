"""The nightly batch window, started and stopped with the command: writes answer 503 with the
standard error body, lookups work, Kafka consumers pause, and what was sent meanwhile is applied
afterwards. (The window is shared state of the test database: it is kept short and always stopped.)"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal

from shared_contracts import topics
from shared_messaging.testing import wait_until

from .kafka_helpers import publish_command
from .reservations_api import TRACE, reserve_line


async def command(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "inventory", "batch-window", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@asynccontextmanager
async def batch_window(database_url: str, inventory) -> AsyncIterator[None]:
    await command(database_url, "start", "--reason", "inventory tests")
    try:
        await wait_until(
            lambda: all(subscription.paused for subscription in inventory.runtime.subscriptions),
            seconds=10,
            message="consumers paused",
        )
        yield
    finally:
        await command(database_url, "stop")


async def test_writes_wait_lookups_work_and_kafka_catches_up(
    world, merch, reservations, inventory, kafka_bootstrap, service_db_urls
):
    database_url = service_db_urls["inventory"]
    (shop,) = await world.stores("shop")
    (bulb,) = await world.items("bulb")
    await world.stock(bulb, shop, 10)
    line = {"item": bulb, "locationType": "S", "location": shop, "backorderQuantity": 1}
    backorder = {"collectionSize": 1, "items": [line]}

    async with batch_window(database_url, inventory):
        status = json.loads(await command(database_url, "status", "--json"))
        refused = await merch.post("inventoryBackorder/create", backorder)
        substitution = await merch.post("itemSubstitution/create", {"collectionSize": 0, "items": []})
        reserve = await reservations.client.post(
            "/internal/v1/reservations",
            json={
                "customerOrderNo": world.order("w"),
                "fulfillOrderNo": "F",
                "lines": [reserve_line(bulb, shop, 1)],
            },
            headers=TRACE,
        )
        lookup = await merch.availability([bulb], [{"location": shop, "locationType": "S"}])
        for _ in range(3):
            await publish_command(
                kafka_bootstrap, topics.OMS_INVENTORY_BACKORDERS, "InventoryBackorderRequested",
                json.dumps(backorder).encode(), key=bulb,
            )  # fmt: skip
        await asyncio.sleep(1.0)  # give a consumer that failed to pause the time to apply them
        during = (await world.buckets(bulb, shop)).backorder

    assert (status["active"], status["source"], status["reason"]) == (True, "manual", "inventory tests")
    assert refused.status_code == 503
    error = refused.json()
    assert (error["status"], error["code"], error["category"]) == ("ERROR", "UNAVAILABLE", "UNAVAILABLE")
    assert error["message"].startswith("This service is not available while batches that affect inventory")
    assert substitution.status_code == 503
    assert reserve.status_code == 503
    assert lookup == [
        {"item": bulb, "location": shop, "locationType": "S", "availableQuantity": 10, "uom": "EA"}
    ]
    assert during == 0

    async def caught_up() -> bool:
        return bool((await world.buckets(bulb, shop)).backorder == Decimal(3))

    await wait_until(caught_up, seconds=30, message="the messages sent during the window applied")
    assert not any(subscription.paused for subscription in inventory.runtime.subscriptions)
    assert (await merch.post("inventoryBackorder/create", backorder)).status_code == 200
