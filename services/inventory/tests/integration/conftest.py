"""The inventory service running in-process on the tests' real Kafka and PostgreSQL.

One service instance per session (migrations, consumers, relay, sweeper, batch window follower).
The database is shared with other test sessions: every test builds its own items and locations
with unique numbers (`World`) and never deletes anything.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from inventory.bootstrap import definition
from inventory.config import Settings
from shared_testing.services import RunningService, running_service

from .kafka_helpers import TopicTail
from .reservations_api import Reservations
from .world import Merchandising, World


def service_settings(database_url: str, bootstrap: str) -> Settings:
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        kafka_request_timeout_ms=5_000,
        kafka_start_timeout_seconds=15,
        kafka_send_timeout_seconds=10,
        kafka_stop_timeout_seconds=10,
        kafka_graceful_timeout_seconds=5,
        outbox_poll_interval_seconds=0.2,
        retry_backoff_initial_seconds=0.05,
        retry_backoff_max_seconds=0.5,
        consumer_retry_window_seconds=3,
        db_pool_min_size=2,
        db_pool_max_size=12,
        hold_sweep_interval_seconds=0.2,
        batch_window_poll_seconds=0.1,
        otel_traces_exporter="memory",
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def inventory(
    service_db_urls: dict[str, str], kafka_bootstrap: str, platform_topics: list[str]
) -> AsyncIterator[RunningService]:
    settings = service_settings(service_db_urls["inventory"], kafka_bootstrap)
    async with running_service(definition(settings), settings) as service:
        yield service


@pytest_asyncio.fixture(loop_scope="session")
async def world(inventory: RunningService) -> World:
    assert inventory.runtime.pool is not None
    return World(inventory.runtime.pool)


@pytest_asyncio.fixture(loop_scope="session")
async def merch(inventory: RunningService) -> Merchandising:
    return Merchandising(inventory.client)


@pytest_asyncio.fixture(loop_scope="session")
async def stock_events(kafka_bootstrap: str, inventory: RunningService) -> AsyncIterator[TopicTail]:
    """What `inventory.stock.v1` receives from now on."""
    async with TopicTail.following(kafka_bootstrap, "inventory.stock.v1") as tail:
        yield tail


@pytest_asyncio.fixture(loop_scope="session")
async def reservations(inventory: RunningService) -> Reservations:
    return Reservations(inventory.client)
