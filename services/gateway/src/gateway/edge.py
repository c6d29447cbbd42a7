"""The gateway's parts, built from settings and started with the service's database pool.

In-process state (authentication cache, rate limit buckets, pooled upstream clients) lives here,
one per process. The HTTP routes reach the running pipeline through `Edge.pipeline`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI

from gateway.adapters.client_repository import ClientRepository
from gateway.adapters.idempotency_repository import IdempotencyRepository
from gateway.adapters.upstream_clients import aiohttp_factory
from gateway.config import LOCAL_DEV_SECRET_KEY, Settings
from gateway.domain.hashing import SecretHasher
from gateway.domain.routing import Upstream
from gateway.domain.token_bucket import RateLimiter
from gateway.entrypoints.http.openapi import openapi_document
from gateway.entrypoints.http.pipeline import ProxyPipeline
from gateway.service_layer.access import Gatekeeper
from gateway.service_layer.authentication import Authenticator
from gateway.service_layer.forwarding import ClientFactory, Upstreams
from gateway.service_layer.idempotency import IdempotencyGuard

log = logging.getLogger(__name__)


def secret_hasher(settings: Settings) -> SecretHasher:
    return SecretHasher(
        settings.gateway_secret_key.get_secret_value().encode(),
        [key.get_secret_value().encode() for key in settings.gateway_previous_secret_keys],
    )


def enabled_upstreams(settings: Settings) -> frozenset[Upstream]:
    known = {upstream.value: upstream for upstream in Upstream}
    unknown = set(settings.enabled_upstreams) - set(known)
    if unknown:
        raise ValueError(f"ENABLED_UPSTREAMS names unknown services: {', '.join(sorted(unknown))}")
    return frozenset(known[name] for name in settings.enabled_upstreams)


class Edge:
    def __init__(
        self,
        settings: Settings,
        *,
        client_factory: ClientFactory | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.hasher = secret_hasher(settings)
        self.enabled = enabled_upstreams(settings)
        self.client_factory = client_factory or aiohttp_factory(
            settings.upstream_timeout_seconds,
            settings.upstream_connect_timeout_seconds,
            settings.upstream_max_connections,
        )
        self.request_limits = RateLimiter(
            settings.rate_limit_per_second, settings.rate_limit_burst, clock=clock
        )
        self.login_limits = RateLimiter(
            settings.auth_failure_rate_per_second, settings.auth_failure_burst, clock=clock
        )
        self.login_limits_by_source = RateLimiter(
            settings.auth_failure_per_source_rate_per_second,
            settings.auth_failure_per_source_burst,
            clock=clock,
        )
        self.authenticator: Authenticator | None = None
        self._pipeline: ProxyPipeline | None = None
        self._upstreams: Upstreams | None = None
        self._purger: asyncio.Task[None] | None = None

    @property
    def pipeline(self) -> ProxyPipeline:
        if self._pipeline is None:
            raise RuntimeError("the gateway has not started")
        return self._pipeline

    async def start(self, pool: asyncpg.Pool) -> None:
        settings = self.settings
        if settings.gateway_secret_key.get_secret_value() == LOCAL_DEV_SECRET_KEY:
            log.warning("GATEWAY_SECRET_KEY is the local development default; set it outside local dev")
        self.authenticator = Authenticator(
            ClientRepository(pool),
            self.hasher,
            ttl_seconds=settings.auth_cache_ttl_seconds,
            max_entries=settings.auth_cache_max_entries,
            clock=self.clock,
        )
        idempotency_records = IdempotencyRepository(pool)
        self._upstreams = Upstreams(
            {upstream: settings.upstream_urls()[upstream.value] for upstream in Upstream},
            self.enabled,
            self.client_factory,
            deadline_seconds=settings.upstream_deadline_seconds,
            max_in_flight=settings.upstream_max_in_flight,
        )
        self._pipeline = ProxyPipeline(
            Gatekeeper(
                self.authenticator, self.request_limits, self.login_limits, self.login_limits_by_source
            ),
            self._upstreams,
            IdempotencyGuard(
                idempotency_records,
                ttl_seconds=settings.idempotency_ttl_seconds,
                lease_seconds=settings.idempotency_lease_seconds,
                wait_seconds=settings.idempotency_wait_seconds,
            ),
            max_body_bytes=settings.max_body_bytes,
            max_collection_items=settings.max_collection_items,
        )
        self._purger = asyncio.create_task(self._purge_forever(idempotency_records), name="idempotency-purge")

    async def stop(self) -> None:
        if self._purger is not None:
            self._purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purger
        if self._upstreams is not None:
            await self._upstreams.aclose()
        self._pipeline = None

    async def _purge_forever(self, records: IdempotencyRepository) -> None:
        while True:
            try:
                purged = await records.purge_expired()
                if purged:
                    log.info("expired idempotency records purged", extra={"count": purged})
            except Exception:
                log.warning("purging idempotency records failed; retrying later", exc_info=True)
            await asyncio.sleep(self.settings.idempotency_purge_interval_seconds)

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        """Runs inside the service runtime's lifespan, so its pool is open."""
        runtime = app.state.runtime
        await self.start(runtime.pool)
        document = openapi_document()
        app.openapi = lambda: document  # type: ignore[method-assign]
        try:
            yield
        finally:
            await self.stop()
