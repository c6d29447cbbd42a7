"""The platform as real processes, one per pytest run and shared by tests/e2e and tests/fuzz (two
platforms at once would share the consumer groups and databases), and the demo credentials."""

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared_testing.distributor import Distributor
from shared_testing.platform import Platform, running_platform


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
        extra_env={"CONSUMER_LAG_REFRESH_SECONDS": "0.5"},
        ready_seconds=180,  # five interpreters importing at once on a busy 2-core machine
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
