"""Fulfillment and inventory in-process on the tests' real Kafka and PostgreSQL; fulfillment calls
inventory through an ASGI transport. Test data (items, locations, suppliers) has unique numbers;
nothing is ever deleted (the database is shared)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest_asyncio
from fastapi import FastAPI

from fulfillment.bootstrap import definition as fulfillment_definition
from fulfillment.config import Settings as FulfillmentSettings
from inventory.bootstrap import definition as inventory_definition
from inventory.config import Settings as InventorySettings
from inventory.domain.records import kind_named, typed_records
from inventory.service_layer.data_loading import load_demo, load_rows
from shared_runtime import ServiceDefinition, ServiceRuntime, ServiceSettings

FAST = {
    "kafka_request_timeout_ms": 5_000,
    "kafka_start_timeout_seconds": 15,
    "kafka_send_timeout_seconds": 10,
    "kafka_stop_timeout_seconds": 10,
    "kafka_graceful_timeout_seconds": 5,
    "outbox_poll_interval_seconds": 0.2,
    "retry_backoff_initial_seconds": 0.05,
    "retry_backoff_max_seconds": 0.5,
    "consumer_retry_window_seconds": 3,
    "db_pool_min_size": 2,
    "db_pool_max_size": 12,
    "otel_traces_exporter": "memory",
}
IDENTITY = {"x-client-id": "oms-tests", "x-environment": "production", "x-roles": "merchandising"}


@asynccontextmanager
async def running_app(
    definition: ServiceDefinition, settings: ServiceSettings
) -> AsyncIterator[tuple[ServiceRuntime, FastAPI]]:
    runtime = ServiceRuntime(definition, settings)
    app = runtime.app()
    async with app.router.lifespan_context(app):
        yield runtime, app


class SwitchableTransport(httpx.AsyncBaseTransport):
    """Inventory that can be taken down: while `down`, every call fails as a refused connection
    would (`down_paths` limits that to paths starting with one of them)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.down_paths: tuple[str, ...] = ("/",)
        self.refused = 0
        self.calls: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls[request.url.path] += 1
        if self.down and request.url.path.startswith(self.down_paths):
            self.refused += 1
            raise httpx.ConnectError("inventory is down (test)", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class SagaPlaces:
    warehouse: int
    virtual_warehouse: int
    store: int


@dataclass
class Stack:
    inventory_pool: asyncpg.Pool
    pool: asyncpg.Pool
    client: httpx.AsyncClient
    inventory_transport: httpx.AsyncBaseTransport
    saga: SagaPlaces
    inventory_app: FastAPI
    switch: SwitchableTransport
    """The in-process fulfillment's way to inventory (tests take inventory down with it)."""


def unique_location() -> int:
    return 1_000_000_000 + uuid.uuid4().int % 8_999_999_999


async def load(pool: asyncpg.Pool, **kinds: list[dict[str, Any]]) -> None:
    rows = {name: list(typed_records(kind_named(name), records, "test")) for name, records in kinds.items()}
    await load_rows(pool, rows)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(
    service_db_urls: dict[str, str], kafka_bootstrap: str, platform_topics: list[str]
) -> AsyncIterator[Stack]:
    inventory_settings = InventorySettings(
        database_url=service_db_urls["inventory"],
        kafka_bootstrap_servers=kafka_bootstrap,
        hold_sweep_interval_seconds=0.2,
        batch_window_poll_seconds=0.1,
        **FAST,
    )
    async with running_app(inventory_definition(inventory_settings), inventory_settings) as (inventory, app):
        assert inventory.pool is not None
        await load_demo(inventory.pool)
        saga = SagaPlaces(unique_location(), unique_location(), unique_location())
        await load(
            inventory.pool,
            locations=[
                {"location": saga.warehouse, "locationType": "W", "name": "saga DC"},
                {
                    "location": saga.virtual_warehouse,
                    "locationType": "W",
                    "name": "saga DC e-commerce",
                    "virtual": True,
                    "physicalWarehouse": saga.warehouse,
                    "channelId": 1,
                    "customerOrderLocation": True,
                    "primaryVirtual": True,
                },
                {
                    "location": saga.store,
                    "locationType": "S",
                    "name": "saga store",
                    "customerOrderLocation": True,
                },
            ],
        )
        transport = httpx.ASGITransport(app=app)
        switch = SwitchableTransport(transport)
        settings = FulfillmentSettings(
            database_url=service_db_urls["fulfillment"],
            kafka_bootstrap_servers=kafka_bootstrap,
            inventory_url="http://inventory",
            hold_seconds=30,
            saga_source_location_type="WH",
            saga_source_location=saga.warehouse,
            saga_fulfill_location=saga.store,
            saga_fulfill_location_type="S",
            **FAST,
        )
        async with running_app(fulfillment_definition(settings, switch), settings) as (
            runtime,
            fulfillment,
        ):
            assert runtime.pool is not None
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=fulfillment), base_url="http://fulfillment"
            ) as client:
                yield Stack(inventory.pool, runtime.pool, client, transport, saga, app, switch)
