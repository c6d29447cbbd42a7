"""What the benchmarks run against: the platform as processes with demo data, and the bare baselines.

- `benchmark_platform`: roles and schemas (`shared_db.provision`), the topics, the demo clients
  (`python -m gateway clients seed-demo`), inventory's demo data plus `BENCH_ITEMS` bench items with
  plenty of stock at the shipping warehouse (when inventory runs), then the services as real processes
  (`shared_testing.platform.running_platform`) with the gateway's per-client rate limit off
  (RATE_LIMIT_PER_SECOND=0, or the benchmark would measure the limiter).
- `bare_endpoint`: `bare_app.py` as a uvicorn process, its table in a scratch schema (dropped
  afterwards), optionally with a Kafka topic and inventory's database behind it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bare_app import TABLE_DDL
from bench_support import fresh_topic, scratch_schema
from load_tool import Target

from shared_contracts.distributor import examples
from shared_contracts.topics import DEFAULT_PARTITIONS, EVENT_TOPICS
from shared_db.provision import provision
from shared_messaging.topics import ensure_topics
from shared_testing.platform import (
    SERVICES,
    Platform,
    _spawn,
    _stop,
    _wait_ready,
    free_port,
    running_platform,
)

HERE = Path(__file__).resolve().parent
SHIPPING_WAREHOUSE = 1001  # the demo set's virtual warehouse that ships distributor orders
BENCH_ITEMS = 100
"""Journeys order these in turn: as a distributor's orders spread over a catalogue, not every hold
waits for the one stock row of a single item (ADR 0014)."""


def run_command(command: list[str], env: Mapping[str, str]) -> None:
    """A CLI of the platform (seeding, data loading), bounded, its output kept unless it fails."""
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True, timeout=300)


@dataclass
class BenchPlatform:
    platform: Platform
    database_urls: dict[str, str]
    credentials: dict[str, dict[str, Any]]
    """The demo clients by name (sandbox-sp, production-sp, connector-sp-a/-b, oms)."""
    bench_items: list[str]
    """`BENCH_ITEMS` items with 100,000 units each at the shipping warehouse (none without inventory)."""
    pids: dict[str, int] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.platform.urls[service]


async def seed(
    urls: Mapping[str, str], services: Sequence[str], work: Path
) -> tuple[dict[str, Any], list[str]]:
    clients = work / "clients.json"
    await asyncio.to_thread(
        run_command,
        [sys.executable, "-m", "gateway", "clients", "seed-demo", "--out", str(clients)],
        {"DATABASE_URL": urls["gateway"]},
    )
    credentials = {client["name"]: client for client in json.loads(clients.read_text())}
    if "inventory" not in services:
        return credentials, []
    tag = uuid.uuid4().hex[:8]
    items = [f"B{tag}{number:04d}" for number in range(BENCH_ITEMS)]
    data = work / "items.json"
    data.write_text(
        json.dumps(
            {
                "items": [
                    {"item": item, "description": "bench", "itemType": "REGULAR", "standardUom": "EA"}
                    for item in items
                ],
                "stock": [
                    {"item": item, "location": SHIPPING_WAREHOUSE, "stockOnHand": 100_000} for item in items
                ],
            }
        )
    )
    inventory = {"DATABASE_URL": urls["inventory"]}
    await asyncio.to_thread(run_command, [sys.executable, "-m", "inventory", "data", "demo"], inventory)
    await asyncio.to_thread(
        run_command, [sys.executable, "-m", "inventory", "data", "load", str(data)], inventory
    )
    return credentials, items


@asynccontextmanager
async def benchmark_platform(
    admin_url: str,
    bootstrap: str,
    work: Path,
    *,
    services: Sequence[str] = SERVICES,
    traces: str = "file",
    db_statement_spans: bool = False,
) -> AsyncIterator[BenchPlatform]:
    urls = await provision(admin_url)
    await ensure_topics(bootstrap, list(EVENT_TOPICS), DEFAULT_PARTITIONS)
    credentials, items = await seed(urls, services, work)
    env = {
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_SECOND": "0",
        "OTEL_TRACES_EXPORTER": traces,
        "OTEL_TRACE_DB_STATEMENTS": str(db_statement_spans).lower(),
        "ENABLED_UPSTREAMS": ",".join(s for s in services if s != "gateway"),
        "SLOT_CAPACITY": "100000",  # book measures booking, not running out of demo capacity
    }
    async with running_platform(
        database_urls=urls,
        kafka_bootstrap=bootstrap,
        work_dir=work,
        services=services,
        extra_env=env,
        ready_seconds=300,  # a busy shared machine starts five processes slowly
    ) as platform:
        pids = {name: process.pid for name, process in platform.processes.items()}
        yield BenchPlatform(platform, dict(urls), credentials, items, pids)


@dataclass
class BareEndpoint:
    """The running bare app and the requests of its endpoints (each with its own x-trace-id)."""

    url: str
    pid: int
    schema: str
    sequence: int = 0

    def _headers(self) -> dict[str, str]:
        self.sequence += 1
        return {"x-trace-id": f"bare-{self.pid}-{self.sequence}", "content-type": "application/json"}

    def noop(self, count: int) -> list[Target]:
        return [Target("GET", f"{self.url}/noop", self._headers()) for _ in range(count)]

    def insert(self, count: int) -> list[Target]:
        """POST /orders with the create-order example, each with its own quoteId."""
        targets = []
        for _ in range(count):
            headers = self._headers()
            body = examples.CREATE_ORDER | {"quoteId": f"Q-{headers['x-trace-id']}"}
            targets.append(Target("POST", f"{self.url}/orders", headers, json.dumps(body).encode()))
        return targets

    def produce(self, count: int) -> list[Target]:
        """POST /produce: the create-order example as one Kafka record (acks=all)."""
        body = json.dumps(examples.CREATE_ORDER).encode()
        return [Target("POST", f"{self.url}/produce", self._headers(), body) for _ in range(count)]

    def query(self, bodies: Sequence[dict[str, Any]]) -> list[Target]:
        """POST /availability with these availability request bodies."""
        return [
            Target("POST", f"{self.url}/availability", self._headers(), json.dumps(body).encode())
            for body in bodies
        ]


@asynccontextmanager
async def bare_endpoint(
    admin_url: str,
    work: Path,
    *,
    pool_size: int = 10,
    bootstrap: str | None = None,
    inventory_url: str | None = None,
) -> AsyncIterator[BareEndpoint]:
    """`bare_app` as a process: its table in a scratch schema, a fresh topic when `bootstrap` is given."""
    async with scratch_schema(admin_url, pool_size=2) as scratch:
        async with scratch.pool.acquire() as conn:
            await conn.execute(TABLE_DDL)
        port = free_port()
        env = {
            **os.environ,
            "BARE_DATABASE_URL": admin_url,
            "BARE_SCHEMA": scratch.name,
            "BARE_POOL_SIZE": str(pool_size),
            "HTTP_PORT": str(port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        }
        if inventory_url:
            env["BARE_INVENTORY_URL"] = inventory_url
        async with _maybe_topic(bootstrap) as topic:
            if bootstrap and topic:
                env |= {"BARE_KAFKA_BOOTSTRAP": bootstrap, "BARE_TOPIC": topic}
            # `python -m bare_app`, started and stopped like the services.
            processes = await asyncio.to_thread(_spawn, ["bare_app"], {"bare_app": env}, work)
            process = processes["bare_app"]
            try:
                url = f"http://127.0.0.1:{port}"
                await _wait_ready(url, process, 120)
                yield BareEndpoint(url, process.pid, scratch.name)
            finally:
                await asyncio.to_thread(_stop, processes)


@asynccontextmanager
async def _maybe_topic(bootstrap: str | None) -> AsyncIterator[str | None]:
    if bootstrap is None:
        yield None
        return
    async with fresh_topic(bootstrap, DEFAULT_PARTITIONS) as topic:
        yield topic
