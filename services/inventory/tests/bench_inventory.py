"""Benchmark of the inventory service: availability lookups and reservations on a large data set.

    deploy/local/bench.sh services/inventory/tests/bench_inventory.py [--rate 200] [--seconds 20]

`DATABASE_URL` is an admin URL (bench.sh gives the `orderplatform_bench` one). The data set
(`--items` x `--locations`, default 100,000 x 50: 5 million stock rows) is generated into its own
database (`--database`, default `inventory_bench`), never into a shared one, and kept for the next
run (`--drop` removes it afterwards). The service runs as its own process on that database,
without Kafka consumers and without the outbox relay (it must not join the shared test broker's
consumer group `inventory`; events stay in the bench database's outbox).

Scenarios, printed:
- availability: `availableInventory/get` with 50 items x 10 locations per request (random items,
  random stores and virtual warehouses) at a fixed arrival rate. Open model: request i is due at
  t0 + i / rate whatever happened before, latency is measured from that intended start. Then the
  most the service answers with `--concurrency` requests in flight (closed loop).
- bare query: the same rows (`SELECT item, location, available FROM stock WHERE item = ANY($1)
  AND location = ANY($2)`) with asyncpg, at the same rate and closed loop, in the same run.
- reservations: `POST /internal/v1/reservations` of one unit for a new fulfillment order each,
  closed loop, spread over random item/stores, then all on one hot item/store.

Targets (issue 5): p99 <= 25 ms at 200 requests/s, and >= 50 % of the bare query's rate.
Not a pytest module.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from inventory.bootstrap import MIGRATIONS, components, http_api
from inventory.config import Settings
from inventory.service_layer.data_generator import GeneratedSet
from inventory.service_layer.data_loading import load_rows
from shared_contracts.merchandising import AVAILABLE_INVENTORY_GET
from shared_db.migrations import upgrade
from shared_db.pool import create_pool
from shared_db.provision import provision
from shared_runtime import ServiceDefinition, run

IDENTITY = {"x-client-id": "bench", "x-environment": "production", "x-roles": "merchandising"}
BARE_QUERY = (
    "SELECT item, location, available FROM stock "
    "WHERE item = ANY($1::text[]) AND location = ANY($2::bigint[])"
)


@dataclass
class Outcome:
    name: str
    offered: float | None
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    service_cpu_ms: float | None = None
    """CPU time of the service process per request (None for the bare query)."""

    @property
    def rate(self) -> float:
        return sum(self.statuses.values()) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")

    def line(self) -> str:
        offered = f"offered {self.offered:>6.1f}/s" if self.offered else "closed loop     "
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        mean = statistics.fmean(self.latencies_ms) if self.latencies_ms else float("nan")
        cpu = "" if self.service_cpu_ms is None else f"  service CPU {self.service_cpu_ms:.1f} ms/request"
        return (
            f"{self.name:<28} {offered}  achieved {self.rate:>7.1f}/s  p50 {self.percentile(0.5):>6.1f} ms  "
            f"p99 {self.percentile(0.99):>6.1f} ms  mean {mean:>6.1f} ms  ({statuses}){cpu}"
        )


class LeanHttp:
    """A minimal HTTP/1.1 keep-alive client (fixed connections, first come first served): httpx
    costs about a millisecond of CPU per request, which on two shared cores would measure the load
    generator instead of the service. Answers must carry a Content-Length (FastAPI's do)."""

    def __init__(self, host: str, port: int, connections: int) -> None:
        self.host, self.port, self.connections = host, port, connections
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def start(self) -> None:
        for _ in range(self.connections):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait()[1].close()

    async def reconnect(self) -> None:
        """Fresh connections: the server closes keep-alive connections idle for 5 s."""
        await self.close()
        await self.start()

    async def post(self, target: str, headers: dict[str, str], body: bytes) -> tuple[str, bytes]:
        head_lines = [
            f"POST {target} HTTP/1.1",
            f"host: {self.host}:{self.port}",
            f"content-length: {len(body)}",
        ]
        head_lines += [f"{name}: {value}" for name, value in headers.items()]
        head_lines.append("content-type: application/json")
        reader, writer = await self.idle.get()
        try:
            writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            answer = await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, StopIteration):
            writer.close()
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        self.idle.put_nowait((reader, writer))
        return head[9:12].decode(), answer


Call = Callable[[int], Awaitable[str]]


async def open_model(name: str, call: Call, rate: float, seconds: float) -> Outcome:
    """Request i starts at t0 + i / rate; latency from that intended start."""
    outcome = Outcome(name, rate)
    loop = asyncio.get_running_loop()
    total = int(rate * seconds)
    started = loop.time() + 0.05

    async def one(index: int) -> None:
        due = started + index / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        try:
            status = await call(index)
        except Exception as error:
            status = type(error).__name__
        outcome.latencies_ms.append((loop.time() - due) * 1000)
        outcome.statuses[status] += 1

    await asyncio.gather(*(one(index) for index in range(total)))
    outcome.elapsed_s = loop.time() - started
    return outcome


async def closed_loop(name: str, call: Call, concurrency: int, seconds: float) -> Outcome:
    outcome = Outcome(name, None)
    loop = asyncio.get_running_loop()
    started = loop.time()
    ends = started + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        while loop.time() < ends:
            begun = loop.time()
            try:
                status = await call(next(counter))
            except Exception as error:
                status = type(error).__name__
            outcome.latencies_ms.append((loop.time() - begun) * 1000)
            outcome.statuses[status] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    outcome.elapsed_s = loop.time() - started
    return outcome


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, scenario: Awaitable[Outcome]) -> Outcome:
    """`scenario` with the service process's CPU time per request."""
    before = cpu_seconds(pid)
    outcome = await scenario
    done = sum(outcome.statuses.values())
    outcome.service_cpu_ms = (cpu_seconds(pid) - before) * 1000 / done if done else None
    return outcome


def database_url(admin_url: str, database: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def prepare_database(admin_url: str, database: str) -> str:
    """The bench database (created when missing) with the inventory role and schema; its URL."""
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    urls = await provision(database_url(admin_url, database), ("inventory",))
    await upgrade(urls["inventory"], "inventory", MIGRATIONS)
    return urls["inventory"]


async def ensure_data(url: str, generated: GeneratedSet) -> None:
    pool = await create_pool(
        url, "inventory", min_size=1, max_size=2, command_timeout=3600, statement_timeout_ms=0
    )
    try:
        items = await pool.fetchval("SELECT count(*) FROM items")
        rows = await pool.fetchval("SELECT count(*) FROM stock")
        expected = generated.items * generated.locations
        if (items, rows) == (generated.items, expected):
            print(f"data: {items} items, {rows} stock rows already loaded")
            return
        if items:
            sys.exit(
                f"the bench database holds another set ({items} items, {rows} rows); run with --drop first"
            )
        print(f"data: loading {generated.items} items x {generated.locations} locations ...", flush=True)
        begun = time.perf_counter()
        counts = await load_rows(pool, generated.rows())
        await pool.execute("ANALYZE")
        print(f"data: loaded {counts} in {time.perf_counter() - begun:.0f} s")
    finally:
        await pool.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_service(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HTTP_PORT": str(port),
        "RUN_MIGRATIONS_ON_START": "false",
        "LOG_LEVEL": "WARNING",
        "OTEL_TRACES_EXPORTER": "none",
        "DB_POOL_MAX_SIZE": "10",
    }
    process = await asyncio.to_thread(subprocess.Popen, [sys.executable, __file__, "serve"], env=env)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    async with httpx.AsyncClient(timeout=2) as client:
        while loop.time() < deadline:
            if process.poll() is not None:
                sys.exit(f"the service exited with {process.returncode}")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    process.terminate()
    sys.exit("the service did not become ready within 120 s")


def serve() -> None:
    """The service as a process, without Kafka consumers or relay (see the module docstring)."""
    settings = Settings()
    definition = ServiceDefinition(
        name="inventory",
        migrations=MIGRATIONS,
        routers=[http_api(components(settings))],
        consumes=(),
        publishes=False,
        title="inventory (bench)",
    )
    run(definition, settings)


@dataclass(frozen=True)
class Lookup:
    items: list[str]
    locations: list[tuple[int, str]]

    def body(self) -> bytes:
        return json.dumps(
            {
                "items": self.items,
                "inventoryLocations": [
                    {"location": number, "locationType": kind} for number, kind in self.locations
                ],
            }
        ).encode()


def lookups(generated: GeneratedSet, count: int, items: int, locations: int, seed: int) -> list[Lookup]:
    rng = random.Random(seed)
    stores = set(generated.store_numbers())
    places = generated.stock_locations()
    return [
        Lookup(
            [generated.item_number(index) for index in rng.sample(range(generated.items), items)],
            [(number, "S" if number in stores else "W") for number in rng.sample(places, locations)],
        )
        for _ in range(count)
    ]


async def availability(
    http: LeanHttp, pool: asyncpg.Pool, requests: Sequence[Lookup], arguments: argparse.Namespace
) -> list[Outcome]:
    bodies = [request.body() for request in requests]
    item_arrays = [request.items for request in requests]
    location_arrays = [[number for number, _ in request.locations] for request in requests]
    headers = {**IDENTITY, "x-trace-id": "bench-availability"}
    rows: list[int] = []

    async def service(index: int) -> str:
        status, answer = await http.post(AVAILABLE_INVENTORY_GET.path, headers, bodies[index % len(bodies)])
        if index % 97 == 0:
            rows.append(answer.count(b'"item"'))
        return status

    async def bare(index: int) -> str:
        found = await pool.fetch(
            BARE_QUERY, item_arrays[index % len(bodies)], location_arrays[index % len(bodies)]
        )
        return "rows" if found else "none"

    pid = arguments.service_pid
    await open_model("warm-up", service, arguments.rate, 2)
    await open_model("warm-up", bare, arguments.rate, 2)
    await http.reconnect()
    at_rate = await measured(
        pid, open_model("availability (service)", service, arguments.rate, arguments.seconds)
    )
    bare_at_rate = await open_model("availability (bare query)", bare, arguments.rate, arguments.seconds)
    await http.reconnect()
    most = await measured(
        pid, closed_loop("max rate (service)", service, arguments.concurrency, arguments.seconds)
    )
    bare_most = await closed_loop("max rate (bare query)", bare, arguments.concurrency, arguments.seconds)
    outcomes = [at_rate, bare_at_rate, most, bare_most]
    pairs = arguments.items_per_request * arguments.locations_per_request
    print(f"rows per lookup: mean {statistics.fmean(rows):.0f} of {pairs} pairs")
    return outcomes


async def reservations(
    http: LeanHttp, pool: asyncpg.Pool, generated: GeneratedSet, arguments: argparse.Namespace
) -> list[Outcome]:
    stores = generated.store_numbers()
    regular = [index for index in range(generated.items) if generated.item_type(index).value == "REGULAR"]
    rng = random.Random(11)
    hot_item, hot_store = generated.item_number(regular[0]), stores[0]
    await pool.execute(
        "UPDATE stock SET stock_on_hand = 99999999 WHERE item = $1 AND location = $2", hot_item, hot_store
    )
    run_id = uuid.uuid4().hex[:8]
    headers = {"x-trace-id": "bench-reservations"}

    def caller(pick: Callable[[], tuple[str, int]], prefix: str) -> Call:
        async def reserve(index: int) -> str:
            item, store = pick()
            body = {
                "customerOrderNo": f"BENCH-{run_id}-{prefix}",
                "fulfillOrderNo": str(index),
                "holdSeconds": 3600,
                "lines": [{"item": item, "location": store, "quantity": 1, "itemLineNo": 1}],
            }
            status, answer = await http.post("/internal/v1/reservations", headers, json.dumps(body).encode())
            return json.loads(answer)["outcome"] if status == "200" else status

        return reserve

    def spread() -> tuple[str, int]:
        return generated.item_number(rng.choice(regular)), rng.choice(stores)

    concurrency, seconds = arguments.concurrency, arguments.reserve_seconds
    hot = caller(lambda: (hot_item, hot_store), "hot")
    pid = arguments.service_pid
    await http.reconnect()
    spread_outcome = await measured(
        pid, closed_loop("reservations (spread)", caller(spread, "spread"), concurrency, seconds)
    )
    await http.reconnect()
    outcomes = [
        spread_outcome,
        await measured(pid, closed_loop("reservations (one hot item)", hot, concurrency, seconds)),
    ]
    # Give the stock back, so the next run starts from the same data (the bench database is ours).
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "DELETE FROM reservation_lines WHERE reservation_id IN "
            "(SELECT reservation_id FROM reservations WHERE customer_order_no LIKE 'BENCH-%')"
        )
        await conn.execute("DELETE FROM reservations WHERE customer_order_no LIKE 'BENCH-%'")
        await conn.execute("UPDATE stock SET customer_reserved = 0 WHERE customer_reserved > 0")
        await conn.execute("DELETE FROM outbox")
    return outcomes


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"


async def main(arguments: argparse.Namespace) -> None:
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        sys.exit("DATABASE_URL (an admin URL) is not set; run through deploy/local/bench.sh")
    generated = GeneratedSet(arguments.items, arguments.locations)
    url = await prepare_database(admin_url, arguments.database)
    await ensure_data(url, generated)
    port = free_port()
    process = await start_service(url, port)
    arguments.service_pid = process.pid
    http = LeanHttp("127.0.0.1", port, arguments.connections)
    pool = await create_pool(url, "inventory", min_size=arguments.concurrency, max_size=arguments.concurrency)
    try:
        await http.start()
        print(f"machine: {machine()}")
        requests = lookups(
            generated, 2_000, arguments.items_per_request, arguments.locations_per_request, arguments.seed
        )
        outcomes = await availability(http, pool, requests, arguments)
        outcomes += await reservations(http, pool, generated, arguments)
    finally:
        await http.close()
        await pool.close()
        process.terminate()
        process.wait(30)
    print()
    for outcome in outcomes:
        print(outcome.line())
    at_rate, _, service_max, bare_max = outcomes[:4]
    share = service_max.rate / bare_max.rate if bare_max.rate else float("nan")
    print()
    print(
        f"target p99 <= 25 ms at {arguments.rate:.0f}/s: p99 {at_rate.percentile(0.99):.1f} ms "
        f"({'met' if at_rate.percentile(0.99) <= 25 else 'NOT met'})"
    )
    print(f"target >= 50 % of the bare query's rate: {share:.0%} ({'met' if share >= 0.5 else 'NOT met'})")
    print(f"machine after: {machine()}")
    if arguments.drop:
        admin = await asyncpg.connect(admin_url, timeout=10)
        try:
            await admin.execute(f'DROP DATABASE "{arguments.database}" WITH (FORCE)')
        finally:
            await admin.close()
        print(f"dropped database {arguments.database}")


def arguments_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--locations", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="availability requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--items-per-request", type=int, default=50)
    parser.add_argument("--locations-per-request", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight in closed loops")
    parser.add_argument("--connections", type=int, default=64, help="HTTP connections of the load generator")
    parser.add_argument("--reserve-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--database", default="inventory_bench")
    parser.add_argument("--drop", action="store_true", help="drop the bench database at the end")
    return parser


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve()
    else:
        asyncio.run(main(arguments_parser().parse_args()))
