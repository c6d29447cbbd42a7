"""The gateway running in-process (real PostgreSQL and Kafka) in front of recording fake upstreams.

`enrichment` and `appointment` are fake ASGI apps reached through `httpx.ASGITransport`; each
records the requests it gets (method, path, query, headers, body) and answers per path as a test
asks. `inventory` is disabled; `fulfillment` points at a port where nothing listens.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from gateway.adapters.client_repository import ClientRepository
from gateway.adapters.upstream_clients import HttpxUpstream, aiohttp_factory
from gateway.bootstrap import assemble
from gateway.config import Settings
from gateway.domain.clients import Environment, Role
from gateway.domain.routing import Upstream
from gateway.edge import Edge
from gateway.service_layer.client_admin import ClientAdmin
from gateway.service_layer.forwarding import ClientFactory, UpstreamClient
from shared_observability.testing import enable_test_tracing
from shared_observability.tracing import instrument_httpx
from shared_testing.platform import free_port
from shared_testing.services import RunningService, running_service

Behaviour = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeUpstream:
    """A recording stand-in for an owning service's internal API."""

    name: str
    calls: list[Recorded] = field(default_factory=list)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a request has arrived."""

    def reset(self) -> None:
        self.calls.clear()
        self.behaviours.clear()
        self.arrived = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        self.calls.append(
            Recorded(request.method, request.url.path, request.url.query, dict(request.headers), body)
        )
        self.arrived.set()
        behaviour = self.behaviours.get(request.url.path, self._default)
        response = await behaviour(request)
        await response(scope, receive, send)

    def answer_error(self, path: str, status: int, code: str, category: str, message: str) -> None:
        """`path` answers the standard error body."""

        async def answer(request: Request) -> Response:
            body = {"status": "ERROR", "code": code, "category": category, "message": message}
            return JSONResponse({**body, "traceId": request.headers.get("x-trace-id")}, status_code=status)

        self.behaviours[path] = answer

    def answer_plain(self, path: str, status: int, text: str) -> None:
        """`path` answers a text body (not the platform's error body)."""

        async def answer(_: Request) -> Response:
            return Response(text, status_code=status, media_type="text/plain")

        self.behaviours[path] = answer

    def hold(self, path: str, gate: asyncio.Event) -> None:
        """`path` answers only once `gate` is set (or never)."""

        async def answer(request: Request) -> Response:
            await gate.wait()
            return await self._default(request)

        self.behaviours[path] = answer

    async def _default(self, request: Request) -> Response:
        status = 201 if request.method == "POST" and request.url.path == "/api/v1/order" else 200
        return JSONResponse(
            {"status": "SUCCESS", "service": self.name, "id": str(uuid.uuid4()), "call": len(self.calls)},
            status_code=status,
            headers={"server": "fake", "x-internal": "do-not-leak"},
        )


@dataclass
class Credential:
    client_id: str
    secret: str
    sp_id: str | None
    environment: Environment
    roles: frozenset[Role]

    def headers(self, **extra: str) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.secret, "x-trace-id": new_trace(), **extra}


def new_trace() -> str:
    return uuid.uuid4().hex


@dataclass
class Harness:
    service: RunningService
    edge: Edge
    fakes: dict[Upstream, FakeUpstream]
    admin: ClientAdmin

    @property
    def http(self) -> httpx.AsyncClient:
        return self.service.client

    async def credential(
        self,
        role: Role = Role.DISTRIBUTOR,
        *,
        environment: Environment = "sandbox",
        sp_id: str | None = "auto",
    ) -> Credential:
        sp = (
            (f"sp-{uuid.uuid4().hex[:8]}" if role is Role.DISTRIBUTOR else None) if sp_id == "auto" else sp_id
        )
        issued = await self.admin.create(
            f"test-{uuid.uuid4().hex[:12]}", sp_id=sp, environment=environment, roles=frozenset({role})
        )
        return Credential(issued.client.client_id, issued.secret, sp, environment, frozenset({role}))


def client_factory(fakes: dict[Upstream, FakeUpstream]) -> ClientFactory:
    """The fakes in-process; an upstream without a fake is called for real (and is not there)."""
    real = aiohttp_factory(1.0, 0.5, 10)

    def factory(upstream: Upstream, base_url: str) -> UpstreamClient:
        fake = fakes.get(upstream)
        if fake is None:
            return real(upstream, base_url)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), base_url=base_url)
        instrument_httpx(client)
        return HttpxUpstream(client)

    return factory


def gateway_settings(service_db_urls: dict[str, str], kafka_bootstrap: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": service_db_urls["gateway"],
        "kafka_bootstrap_servers": kafka_bootstrap,
        "enabled_upstreams": ("enrichment", "appointment", "fulfillment"),
        "fulfillment_url": f"http://127.0.0.1:{free_port()}",
        "upstream_timeout_seconds": 1.0,
        "upstream_connect_timeout_seconds": 0.5,
        "rate_limit_per_second": 1000.0,
        "rate_limit_burst": 1000,
        "max_body_bytes": 262_144,
        "max_collection_items": 500,
        **overrides,
    }
    return Settings(**values)


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[Harness]:
    enable_test_tracing("gateway")
    fakes = {
        upstream: FakeUpstream(upstream.value) for upstream in (Upstream.ENRICHMENT, Upstream.APPOINTMENT)
    }
    assembly = assemble(settings, client_factory=client_factory(fakes))
    async with running_service(assembly.definition, settings) as service:
        assert service.runtime.pool is not None
        admin = ClientAdmin(ClientRepository(service.runtime.pool), assembly.edge.hasher)
        yield Harness(service, assembly.edge, fakes, admin)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def harness(service_db_urls: dict[str, str], kafka_bootstrap: str) -> AsyncIterator[Harness]:
    async with running_gateway(gateway_settings(service_db_urls, kafka_bootstrap)) as running:
        yield running


@pytest.fixture
def gateway(harness: Harness) -> Harness:
    """The shared gateway, with its fake upstreams' records and behaviours cleared."""
    for fake in harness.fakes.values():
        fake.reset()
    return harness


@pytest.fixture
def enrichment(gateway: Harness) -> FakeUpstream:
    return gateway.fakes[Upstream.ENRICHMENT]


@pytest.fixture
def appointment(gateway: Harness) -> FakeUpstream:
    return gateway.fakes[Upstream.APPOINTMENT]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def limited_gateway(service_db_urls: dict[str, str], kafka_bootstrap: str) -> AsyncIterator[Harness]:
    """A second gateway with small limits: 3 requests then 1/s per client; 3 failed logins then 1/min."""
    settings = gateway_settings(
        service_db_urls,
        kafka_bootstrap,
        rate_limit_per_second=1.0,
        rate_limit_burst=3,
        auth_failure_rate_per_second=1 / 60,
        auth_failure_burst=3,
    )
    async with running_gateway(settings) as running:
        yield running
