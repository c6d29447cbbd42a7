"""Run a service in-process for a test, and talk to it over HTTP and Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from aiokafka import AIOKafkaProducer

from shared_contracts.events import Event
from shared_contracts.messages import OutgoingRecord, meta_for
from shared_observability.tracing import setup_tracing
from shared_runtime import ServiceDefinition, ServiceRuntime, ServiceSettings


@dataclass
class RunningService:
    runtime: ServiceRuntime
    client: httpx.AsyncClient


@asynccontextmanager
async def running_service(
    definition: ServiceDefinition, settings: ServiceSettings
) -> AsyncIterator[RunningService]:
    """Start the service's whole lifespan (migrations, consumers, relay) and give an HTTP client
    that calls its app in-process. Everything is stopped when the block ends.

    Tracing is set up as the service's process does (`observability`, minus logging; exporter
    "none" unless a test installed others): without an SDK tracer provider FastAPI's telemetry
    skips the request's context, and events would leave without the request's x-trace-id, or
    with it only when an earlier test happened to install a provider."""
    setup_tracing(settings.service_name, "none")
    runtime = ServiceRuntime(definition, settings)
    app = runtime.app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{definition.name}") as client:
            yield RunningService(runtime, client)


async def publish_event(
    bootstrap: str,
    event: Event,
    *,
    source_service: str = "tests",
    x_trace_id: str | None = None,
    transaction_id: str | None = None,
) -> None:
    """Publish `event` to its topic with CloudEvents headers, as a platform producer would."""
    meta = meta_for(event, source_service, x_trace_id=x_trace_id, transaction_id=transaction_id)
    record = OutgoingRecord.of(event, meta)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await asyncio.wait_for(producer.start(), 15)
    try:
        await asyncio.wait_for(
            producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers), 15
        )
    finally:
        await asyncio.wait_for(producer.stop(), 15)
