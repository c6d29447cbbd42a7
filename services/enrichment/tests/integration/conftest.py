"""The enrichment service running in-process on the real Kafka and PostgreSQL of the tests.

One service instance per test session (its lifespan: migrations, consumers, outbox relay);
the appointment service is a fake served over HTTP. Each test uses fresh SP ids, so tests do
not see each other's orders.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, replace

import httpx
import pytest_asyncio
from fastapi import FastAPI

from enrichment.adapters.appointment_client import HttpAppointmentDirectory
from enrichment.bootstrap import definition
from enrichment.config import Settings
from enrichment.entrypoints.http.dependencies import EnrichmentComponents
from shared_contracts import topics
from shared_http.service_client import service_client
from shared_messaging.topics import ensure_topics
from shared_observability.testing import enable_test_tracing
from shared_runtime import ServiceRuntime
from shared_testing.platform import free_port

from .distributor import Distributor
from .fake_appointment_service import FakeAppointmentService, serving_fake_appointment_service
from .order_events import OrderEventsWatcher

TOPICS = (topics.ORDERS, topics.APPOINTMENTS, topics.FULFILLMENT_ORDERS)


def service_settings(database_url: str, bootstrap: str, appointment_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        appointment_url=appointment_url,
        appointment_timeout_seconds=2.0,
        kafka_request_timeout_ms=5_000,
        kafka_start_timeout_seconds=15,
        kafka_send_timeout_seconds=10,
        kafka_stop_timeout_seconds=10,
        kafka_graceful_timeout_seconds=5,
        outbox_poll_interval_seconds=0.5,
        retry_backoff_initial_seconds=0.05,
        retry_backoff_max_seconds=1.0,
        consumer_retry_window_seconds=10,
        db_pool_min_size=1,
        db_pool_max_size=8,
        otel_traces_exporter="memory",
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fake_appointments() -> AsyncIterator[FakeAppointmentService]:
    async with serving_fake_appointment_service() as fake:
        yield fake


@dataclass
class EnrichmentService:
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def components(self) -> EnrichmentComponents:
        components: EnrichmentComponents = self.app.state.enrichment
        return components

    @asynccontextmanager
    async def replaced_components(self, replacement: EnrichmentComponents) -> AsyncIterator[None]:
        original = self.components
        self.app.state.enrichment = replacement
        try:
            yield
        finally:
            self.app.state.enrichment = original


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def enrichment_service(
    service_db_urls: dict[str, str], kafka_bootstrap: str, fake_appointments: FakeAppointmentService
) -> AsyncIterator[EnrichmentService]:
    await ensure_topics(kafka_bootstrap, TOPICS, topics.DEFAULT_PARTITIONS)
    enable_test_tracing("enrichment")
    settings = service_settings(service_db_urls["enrichment"], kafka_bootstrap, fake_appointments.url)
    app = ServiceRuntime(definition(settings), settings).app()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://enrichment") as client,
    ):
        yield EnrichmentService(app, client)


@pytest_asyncio.fixture(loop_scope="session")
async def unreachable_appointments(
    enrichment_service: EnrichmentService,
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """`async with unreachable_appointments():` the appointment service's port refuses connections."""

    @asynccontextmanager
    async def unreachable() -> AsyncIterator[None]:
        client = service_client(f"http://127.0.0.1:{free_port()}", timeout_seconds=2)
        try:
            replacement = replace(
                enrichment_service.components, appointments=HttpAppointmentDirectory(client)
            )
            async with enrichment_service.replaced_components(replacement):
                yield
        finally:
            await client.aclose()

    return unreachable


@pytest_asyncio.fixture(loop_scope="session")
async def without_customer_data(enrichment_service: EnrichmentService) -> AsyncIterator[None]:
    """PERSIST_CUSTOMER_DATA_IND = N for one test."""
    components = enrichment_service.components
    rules = replace(components.rules, persist_customer_data=False)
    async with enrichment_service.replaced_components(replace(components, rules=rules)):
        yield


@pytest_asyncio.fixture(loop_scope="session")
async def distributor(enrichment_service: EnrichmentService) -> Callable[..., Distributor]:
    """`distributor()`: a new SP in the sandbox; `distributor(sp_id=..., environment="production")`."""

    def make(sp_id: str | None = None, environment: str = "sandbox") -> Distributor:
        return Distributor(enrichment_service.client, sp_id or f"sp-{uuid.uuid4().hex[:10]}", environment)

    return make


@pytest_asyncio.fixture(loop_scope="session")
async def order_events(
    enrichment_service: EnrichmentService, kafka_bootstrap: str
) -> AsyncIterator[OrderEventsWatcher]:
    watcher = OrderEventsWatcher(kafka_bootstrap)
    await watcher.start()
    try:
        yield watcher
    finally:
        await watcher.stop()
