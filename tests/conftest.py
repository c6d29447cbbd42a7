"""The platform as real processes, one per pytest run and shared by tests/e2e and tests/fuzz (two
platforms at once would share the consumer groups and databases), and the demo credentials."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared_testing.distributor import Distributor
from shared_testing.gateway_calls import create_client
from shared_testing.platform import Platform, running_platform

READY_SECONDS = 240.0
"""Generous: on the shared 2-core machine, importing a service alone can take 20 s under load."""


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def platform(
    kafka_bootstrap: str,
    service_db_urls: dict[str, str],
    platform_topics: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    work_dir = tmp_path_factory.mktemp("platform")
    async with running_platform(
        database_urls=service_db_urls,
        kafka_bootstrap=kafka_bootstrap,
        work_dir=work_dir,
        # Request rate limit off: the tests share a few demo credentials and, on a fast machine,
        # exceed the shipped 50/s per client. The limiter is tested on `limited_gateway`.
        extra_env={"CONSUMER_LAG_REFRESH_SECONDS": "0.5", "RATE_LIMIT_PER_SECOND": "0"},
        ready_seconds=READY_SECONDS,
    ) as running:
        yield running


@pytest.fixture(scope="session")
def demo_clients(service_db_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo credentials, seeded exactly as `make up` does; keyed by name."""
    out = tmp_path_factory.mktemp("clients") / "demo-clients.json"
    subprocess.run(
        [sys.executable, "-m", "gateway", "clients", "seed-demo", "--out", str(out)],
        env={**os.environ, "DATABASE_URL": service_db_urls["gateway"]},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return {client["name"]: client for client in json.loads(Path(out).read_text())}


@pytest_asyncio.fixture(loop_scope="session")
async def distributor(platform: Platform, demo_clients: dict[str, Any]) -> AsyncIterator[Distributor]:
    """The `sandbox-sp` credential on the gateway; the appointments it booked are cancelled after."""
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=20) as http:
        client = Distributor(http, demo_clients["sandbox-sp"], "e2e-journey")
        yield client
        await client.cancel_booked()


@pytest.fixture(scope="session")
def inventory_demo_data(service_db_urls: dict[str, str]) -> None:
    """Inventory's demo set (items and locations of the specification's samples), loaded as
    `python -m inventory data demo` does (idempotent)."""
    subprocess.run(
        [sys.executable, "-m", "inventory", "data", "demo"],
        env={**os.environ, "DATABASE_URL": service_db_urls["inventory"]},
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest_asyncio.fixture(loop_scope="session")
async def gateway(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=20) as http:
        yield http


LIMITED_GATEWAY_ENV = {
    "RATE_LIMIT_PER_SECOND": "0.1",
    "RATE_LIMIT_BURST": "3",
    "AUTH_FAILURE_PER_SOURCE_RATE_PER_SECOND": "0.05",
    "AUTH_FAILURE_PER_SOURCE_BURST": "5",
}
"""Limits low enough to reach in a test: 3 requests per client, 5 failed logins per address."""


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def limited_gateway(
    platform: Platform,
    kafka_bootstrap: str,
    service_db_urls: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Platform]:
    """A second gateway process (another replica) in front of the same services, with low limits."""
    upstreams = {f"{name.upper()}_URL": url for name, url in platform.urls.items() if name != "gateway"}
    async with running_platform(
        database_urls=service_db_urls,
        kafka_bootstrap=kafka_bootstrap,
        work_dir=tmp_path_factory.mktemp("limited-gateway"),
        services=("gateway",),
        extra_env={**upstreams, **LIMITED_GATEWAY_ENV},
        ready_seconds=READY_SECONDS,
    ) as running:
        yield running


@pytest.fixture(scope="session")
def new_client(service_db_urls: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """`new_client(sp="sp-x", environment="sandbox", role="distributor")`: a fresh client via the CLI."""

    def create(*, sp: str | None, environment: str = "sandbox", role: str = "distributor") -> dict[str, Any]:
        name = f"e2e-{uuid.uuid4().hex[:12]}"
        return create_client(service_db_urls["gateway"], name, sp=sp, environment=environment, role=role)

    return create
