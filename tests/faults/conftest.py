"""The fault suite's stack: its own PostgreSQL and Kafka (see infrastructure.py), a proxy in front of
each, and the five services as processes whose every connection to either passes a proxy.

`FAULTS_FULL=1` (`make test-faults FULL=1`) selects the full form (more load, every fault repeated);
the default is the reduced form `make test` runs. `FAULTS_KAFKA_NAME` / `FAULTS_KAFKA_PORT` choose
the broker instance (default `faults-suite` on 19292; the controller takes the next port).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from shared_contracts.topics import DEFAULT_PARTITIONS, EVENT_TOPICS
from shared_db.provision import provision
from shared_messaging.topics import ensure_topics
from shared_testing.platform import Platform, free_port, running_platform

from .infrastructure import (
    ADMIN,
    DATABASE,
    PrivateKafka,
    PrivatePostgres,
    ProxyProcess,
    private_postgres_dir,
)

FULL = os.environ.get("FAULTS_FULL", "") not in ("", "0")
MAX_POLL_INTERVAL_MS = 10_000
"""Short, so that a pause beyond it fits a CI run (the default is at least 60 s)."""
READY_SECONDS = 300.0
"""Bound on a service's start (imports and migrations take long on a busy 2-core machine)."""


@dataclass(frozen=True)
class Scale:
    journeys: int
    """Distributor journeys running at the same time."""
    oms_interval: float
    """Seconds between two rounds of OMS traffic (a backorder and a fulfillment order on Kafka,
    a fulfillment order over HTTP)."""
    rounds: int
    """How often each fault is injected."""
    step_seconds: float
    """A client gives up a step after this long."""
    between: float
    """Seconds of load between two injections."""
    pause_seconds: float
    """How long a consumer is frozen (beyond its max poll interval and session timeout)."""
    paused_services: tuple[str, ...]


SCALE = (
    Scale(4, 0.5, 3, 90, 5, 25, ("enrichment", "appointment", "inventory", "fulfillment"))
    if FULL
    else Scale(2, 1.0, 1, 60, 3, 20, ("fulfillment",))
)


@dataclass
class Stack:
    platform: Platform
    postgres: PrivatePostgres
    kafka: PrivateKafka
    pg_proxy: ProxyProcess
    kafka_proxy: ProxyProcess
    admin_url: str
    """Straight to PostgreSQL, for the checks."""
    bootstrap: str
    """Through the proxy (the broker advertises the proxy's port)."""
    credentials: dict[str, dict[str, Any]]


def _run_module(module: str, database_url: str, *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, *argv],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done.stdout


async def _create_database(postgres: PrivatePostgres) -> None:
    conn = await asyncpg.connect(postgres.superuser_url, timeout=10)
    try:
        await conn.execute(f"CREATE ROLE {ADMIN} LOGIN CREATEROLE CREATEDB PASSWORD '{ADMIN}'")
        await conn.execute(f"CREATE DATABASE {DATABASE} OWNER {ADMIN}")
        await conn.execute(f"REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC")
    finally:
        await conn.close(timeout=5)


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    work_dir = tmp_path_factory.mktemp("faults")
    postgres = PrivatePostgres(private_postgres_dir(), free_port())
    kafka_port = int(os.environ.get("FAULTS_KAFKA_PORT", "19292"))
    kafka = PrivateKafka(os.environ.get("FAULTS_KAFKA_NAME", "faults-suite"), kafka_port, free_port())
    proxies: list[ProxyProcess] = []
    try:
        postgres.create()
        postgres.start()
        pg_proxy = ProxyProcess(free_port(), postgres.port, work_dir / "proxy-postgres.log")
        proxies.append(pg_proxy)
        await _create_database(postgres)
        service_urls = await provision(postgres.admin_url())
        proxied_urls = {
            service: url.replace(f":{postgres.port}/", f":{pg_proxy.listen_port}/")
            for service, url in service_urls.items()
        }
        kafka_proxy = ProxyProcess(kafka.advertised_port, kafka.port, work_dir / "proxy-kafka.log")
        proxies.append(kafka_proxy)
        kafka.wipe()
        kafka.start()
        bootstrap = f"127.0.0.1:{kafka.advertised_port}"
        await ensure_topics(bootstrap, list(EVENT_TOPICS), DEFAULT_PARTITIONS)
        extra_env = {
            "CONSUMER_MAX_POLL_INTERVAL_MS": str(MAX_POLL_INTERVAL_MS),
            # A service restarted after kill -9 joins groups that still wait for its dead member
            # (up to the rebalance timeout, per subscription); the default 15 s start bound then
            # makes the restart fail on a busy machine (reported; Kubernetes would restart it again).
            "KAFKA_START_TIMEOUT_SECONDS": "120",
            # The journeys of the full form book more than the demo's 10 places per window: the
            # suite tests faults, not running out of appointment capacity.
            "SLOT_CAPACITY": "100000",
        }
        async with running_platform(
            database_urls=proxied_urls,
            kafka_bootstrap=bootstrap,
            work_dir=work_dir,
            extra_env=extra_env,
            ready_seconds=READY_SECONDS,
        ) as platform:
            clients_file = work_dir / "demo-clients.json"
            _run_module(
                "gateway", proxied_urls["gateway"], "clients", "seed-demo", "--out", str(clients_file)
            )
            _run_module("inventory", proxied_urls["inventory"], "data", "demo")
            credentials = {
                client["name"]: client
                for client in json.loads(await asyncio.to_thread(clients_file.read_text))
            }
            yield Stack(
                platform, postgres, kafka, pg_proxy, kafka_proxy, postgres.admin_url(), bootstrap, credentials
            )
    finally:
        try:
            kafka.stop()
        finally:
            kafka.wipe()
            for proxy in proxies:
                proxy.stop()
            postgres.remove()
