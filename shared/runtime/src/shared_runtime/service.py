"""`ServiceRuntime`: the lifecycle every service shares, assembled by the service's bootstrap.

Start-up order: tracing and logs, database pool, migrations (own schema, outbox and inbox tables),
Kafka producer and subscribers, outbox relay; HTTP serves health and the service's routers
meanwhile. Stop runs in reverse, every step bounded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from pydantic import BaseModel

from shared_contracts.events import EVENT_TYPES
from shared_db.migrations import upgrade
from shared_db.pool import create_pool
from shared_db.session_state import resetting_changed_sessions
from shared_http.app import create_app
from shared_messaging.broker import create_broker, create_producer, start_broker, stop_broker
from shared_messaging.consumer import Handler, Subscription, subscribe
from shared_messaging.dlq import DeadLetterPublisher
from shared_messaging.lag import ConsumerLagSampler
from shared_messaging.relay import OutboxRelay
from shared_observability.instrumentation import reset_untraced
from shared_observability.logging import setup_logging
from shared_observability.tracing import instrument_asyncpg, setup_tracing
from shared_runtime.heap import freeze_heap
from shared_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Consumes:
    """A topic this service consumes: `ce_type` -> handler(s), and the models values must satisfy."""

    topic: str
    handlers: Mapping[str, Handler | Sequence[Handler]]
    models: Mapping[str, type[BaseModel]] = field(default_factory=lambda: EVENT_TYPES)


@dataclass
class ServiceDefinition:
    """What makes a service itself; everything else is shared."""

    name: str
    migrations: Path
    routers: Sequence[APIRouter] = ()
    consumes: Sequence[Consumes] = ()
    publishes: bool = True
    title: str = ""
    description: str = ""
    commands: Mapping[str, Callable[[Sequence[str]], int]] = field(default_factory=dict)
    """Extra `python -m <service> <command> ...` commands (e.g. the gateway's `clients`)."""


@dataclass
class ServiceRuntime:
    definition: ServiceDefinition
    settings: ServiceSettings
    pool: asyncpg.Pool | None = None
    broker: KafkaBroker | None = None
    relay: OutboxRelay | None = None
    dead_letters: DeadLetterPublisher | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    lag_sampler: ConsumerLagSampler | None = None
    migrated: bool = False
    owns_process: bool = False
    """`python -m <service>` (`run`), not a test: the heap is frozen once started (`heap`)."""

    @property
    def name(self) -> str:
        return self.definition.name

    async def start(self) -> None:
        settings = self.settings
        self.pool = await create_pool(
            settings.database_url,
            self.name,
            min_size=settings.db_pool_min_size,
            max_size=settings.db_pool_max_size,
            connect_timeout=settings.db_connect_timeout_seconds,
            command_timeout=settings.db_command_timeout_seconds,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            reset=resetting_changed_sessions(reset_untraced),
        )
        if settings.run_migrations_on_start:
            await upgrade(settings.database_url, self.name, self.definition.migrations)
        self.migrated = True
        self.broker = create_broker(settings, self.name)
        self.dead_letters = DeadLetterPublisher(settings)
        for consumes in self.definition.consumes:
            subscription = subscribe(
                self.broker,
                consumes.topic,
                group_id=self.name,
                handlers=consumes.handlers,
                models=consumes.models,
                pool=self.pool,
                dlq=self.dead_letters,
                settings=settings,
            )
            self.subscriptions.append(subscription)
        await start_broker(self.broker, settings)
        self.lag_sampler = ConsumerLagSampler(
            self.name, self.subscriptions, settings.consumer_lag_refresh_seconds
        )
        self.lag_sampler.start()
        if self.definition.publishes:
            self.relay = OutboxRelay(
                self.pool, lambda: create_producer(settings), self.name, self.name, settings
            )
            await self.relay.start()
        log.info("service started", extra={"service": self.name})

    async def stop(self) -> None:
        """Stop whatever started (also after a failed start), each part even if another fails."""
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        if self.lag_sampler is not None:
            steps.append(("lag sampler", self.lag_sampler.stop))
        if self.relay is not None:
            steps.append(("outbox relay", self.relay.stop))
        if self.broker is not None:
            broker = self.broker
            steps.append(("kafka broker", lambda: stop_broker(broker, self.settings)))
        if self.dead_letters is not None:
            steps.append(("dead-letter producer", self.dead_letters.stop))
        if self.pool is not None:
            pool = self.pool
            steps.append(("database pool", lambda: asyncio.wait_for(pool.close(), 10)))
        for name, step in steps:
            try:
                await step()
            except Exception:
                log.exception("stopping the %s failed", name, extra={"service": self.name})

    async def database_ready(self) -> None:
        if self.pool is None or not self.migrated:
            raise RuntimeError("database not initialised")
        await self.pool.fetchval("SELECT 1")

    async def kafka_ready(self) -> None:
        if self.broker is None or not await self.broker.ping(timeout=2):
            raise RuntimeError("kafka not reachable")

    def app(self) -> FastAPI:
        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            try:
                await self.start()
            except BaseException:
                # What did start (pool, consumers, producers) must not keep the process alive
                # after uvicorn reports the failed startup: the process exits, the supervisor
                # (Kubernetes, supervisord) restarts it.
                await self.stop()
                raise
            if self.owns_process:
                frozen = freeze_heap()
                log.info("start-up heap frozen", extra={"service": self.name, "objects": frozen})
            try:
                yield
            finally:
                await self.stop()

        app = create_app(
            self.name,
            readiness={"database": self.database_ready, "kafka": self.kafka_ready},
            lifespan=lifespan,
            title=self.definition.title or self.name,
            description=self.definition.description,
        )
        for router in self.definition.routers:
            app.include_router(router)
        app.state.runtime = self
        return app


def observability(settings: ServiceSettings) -> None:
    setup_logging(settings.service_name, settings.log_level, json=settings.log_json)
    setup_tracing(
        settings.service_name,
        settings.otel_traces_exporter,
        otlp_endpoint=settings.otel_exporter_otlp_endpoint,
        file_path=settings.otel_traces_file,
    )
    if settings.otel_trace_db_statements:
        instrument_asyncpg()


def run(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """`python -m <service>`: serve until SIGTERM."""
    import uvicorn

    observability(settings)
    runtime = ServiceRuntime(definition, settings, owns_process=True)
    uvicorn.run(
        runtime.app(),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
    )


async def migrate(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    """`python -m <service> migrate`: apply migrations and exit (Kubernetes Job, compose)."""
    await upgrade(settings.database_url, definition.name, definition.migrations)


def main(definition: ServiceDefinition, settings: ServiceSettings, argv: Sequence[str]) -> None:
    """Entry point of `python -m <service> [serve|migrate]`."""
    command = argv[0] if argv else "serve"
    if command == "serve":
        run(definition, settings)
    elif command == "migrate":
        asyncio.run(migrate(definition, settings))
    elif command in definition.commands:
        raise SystemExit(definition.commands[command](argv[1:]))
    else:
        names = "|".join(["serve", "migrate", *definition.commands])
        raise SystemExit(f"usage: python -m {definition.name} [{names}]")
