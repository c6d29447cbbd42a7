"""Benchmark of a running appointment service: get-dates and book at a fixed arrival rate.

    .venv/bin/python services/appointment/tests/bench_appointments.py \
        [--url http://127.0.0.1:8082] [--bootstrap 127.0.0.1:9092] \
        [--rate 200] [--book-rate 50] [--seconds 10] [--sub-orders 200]

Open model: request i is due at t0 + i / rate whatever happened to earlier requests, and its latency
is measured from that intended start, so a slow service shows up as latency, not as a lower rate
(no coordinated omission). The service is called directly, with the identity headers the gateway
would add (a production credential of a fresh bench SP).

Set-up: OrderCreated and OrderEnriched (installation) of `--sub-orders` bench sub-orders are
published to `--bootstrap` (the broker the service consumes; `make up`'s by default), and the
benchmark waits until the service's read model has all of them. Sites are the demo production
address in Plano, TX (territory TX-DFW of the default reference data); each sub-order asks for a
two-week range starting one to eight weeks ahead. Book requests pick one of the sub-order's offered
windows at random (a second booking of a sub-order moves it). At the end every bench appointment
is cancelled, so the capacity borrowed from the demo data is given back. Not a pytest module.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from aiokafka import AIOKafkaProducer

from shared_contracts.distributor import paths
from shared_contracts.events import Event, OrderCreated, OrderEnriched
from shared_contracts.messages import OutgoingRecord, meta_for

SITE = {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"}
TARGET = "get-dates p99 <= 30 ms at 200 requests/s"


@dataclass(frozen=True)
class BenchSubOrder:
    order_id: str
    sub_order_id: str
    start: date
    due: date


@dataclass
class Outcome:
    """What one scenario measured."""

    name: str
    rate: float
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0

    def line(self) -> str:
        ordered = sorted(self.latencies_ms)
        p50 = ordered[len(ordered) // 2]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        done = sum(self.statuses.values())
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (
            f"{self.name:<10} offered {self.rate:>6.1f}/s  achieved {done / self.elapsed_s:>6.1f}/s  "
            f"p50 {p50:>7.1f} ms  p99 {p99:>7.1f} ms  max {ordered[-1]:>7.1f} ms  "
            f"mean {statistics.fmean(ordered):>6.1f} ms  ({statuses})"
        )

    def p99(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class LeanHttp:
    """A minimal HTTP/1.1 keep-alive client for the measured requests: a fixed set of connections
    handed out first come, first served. httpx costs about a millisecond of CPU per request and its
    pool slows down with thousands of waiting requests; on two shared cores that would measure the
    load generator instead of the service. Answers must carry a Content-Length (FastAPI's do)."""

    def __init__(self, url: str, connections: int) -> None:
        parsed = httpx.URL(url)
        self.host, self.port = parsed.host, parsed.port or 80
        self.connections = connections
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def start(self) -> None:
        for _ in range(self.connections):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()

    async def request(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> str:
        """The answer's status code."""
        lines = [
            f"{method} {target} HTTP/1.1",
            f"host: {self.host}:{self.port}",
            f"content-length: {len(body)}",
        ]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body:
            lines.append("content-type: application/json")
        reader, writer = await self.idle.get()
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, StopIteration):
            writer.close()
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        self.idle.put_nowait((reader, writer))
        return head[9:12].decode()


class Bench:
    def __init__(self, http: httpx.AsyncClient, lean: LeanHttp, sp_id: str) -> None:
        self.http = http
        self.lean = lean
        self.sp_id = sp_id

    def headers(self) -> dict[str, str]:
        return {
            "x-client-id": f"bench-{self.sp_id}",
            "x-sp-id": self.sp_id,
            "x-environment": "production",
            "x-roles": "distributor",
            "x-trace-id": f"bench-{uuid.uuid4().hex}",
        }

    async def dates(self, sub_order: BenchSubOrder) -> httpx.Response:
        params = {"orderId": sub_order.order_id, "subOrderId": sub_order.sub_order_id}
        return await self.http.get(paths.APPOINTMENT_DATES, params=params, headers=self.headers())

    async def measured_dates(self, sub_order: BenchSubOrder) -> str:
        query = urlencode({"orderId": sub_order.order_id, "subOrderId": sub_order.sub_order_id})
        return await self.lean.request("GET", f"{paths.APPOINTMENT_DATES}?{query}", self.headers())

    async def measured_book(self, sub_order: BenchSubOrder, window: dict[str, Any]) -> str:
        body = {
            "orderId": sub_order.order_id,
            "subOrderId": sub_order.sub_order_id,
            "startDate": window["startDate"],
            "endDate": window["endDate"],
        }
        return await self.lean.request("POST", paths.APPOINTMENT, self.headers(), json.dumps(body).encode())

    async def cancel_all(self, sub_orders: list[BenchSubOrder]) -> int:
        cancelled = 0
        for sub_order in sub_orders:
            found = await self.http.get(
                "/internal/v1/appointments",
                params={"subOrderId": sub_order.sub_order_id},
                headers=self.headers(),
            )
            if found.status_code == 200:
                appointment_id = found.json()["appointmentId"]
                done = await self.http.delete(f"{paths.APPOINTMENT}/{appointment_id}", headers=self.headers())
                cancelled += done.status_code == 200
        return cancelled


def bench_events(sp_id: str, count: int) -> tuple[list[BenchSubOrder], list[Event]]:
    today = date.today()
    sub_orders: list[BenchSubOrder] = []
    events: list[Event] = []
    for index in range(count):
        start = today + timedelta(days=7 + index % 50)
        sub_order = BenchSubOrder(str(uuid.uuid4()), str(uuid.uuid4()), start, start + timedelta(days=13))
        sub_orders.append(sub_order)
        events.append(
            OrderCreated.model_validate(
                {
                    "orderId": sub_order.order_id,
                    "contractId": str(uuid.uuid4()),
                    "spId": sp_id,
                    "quoteId": "Q-BENCH",
                    "environment": "production",
                    "subOrders": [
                        {
                            "subOrderId": sub_order.sub_order_id,
                            "siteAddress": SITE,
                            "items": [{"orderItemId": str(uuid.uuid4()), "item": "100100068", "quantity": 1}],
                        }
                    ],
                }
            )
        )
        events.append(
            OrderEnriched.model_validate(
                {
                    "orderId": sub_order.order_id,
                    "subOrderId": sub_order.sub_order_id,
                    "step": "INSTALLATION",
                    "siteAddress": SITE,
                    "customerRequestedStartDate": sub_order.start.isoformat(),
                    "customerRequestedDueDate": sub_order.due.isoformat(),
                }
            )
        )
    return sub_orders, events


async def publish(bootstrap: str, events: list[Event]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await asyncio.wait_for(producer.start(), 15)
    try:
        sends = []
        for event in events:
            record = OutgoingRecord.of(event, meta_for(event, "bench-appointments"))
            sends.append(
                await producer.send(record.topic, record.value, key=record.key, headers=record.headers)
            )
        await asyncio.wait_for(asyncio.gather(*sends), 60)
    finally:
        await asyncio.wait_for(producer.stop(), 15)


async def known_windows(
    bench: Bench, sub_orders: list[BenchSubOrder], seconds: float
) -> dict[str, list[Any]]:
    """Wait until the read model has every bench sub-order; their offered windows."""
    deadline = time.monotonic() + seconds
    windows: dict[str, list[Any]] = {}
    for sub_order in sub_orders:
        while True:
            response = await bench.dates(sub_order)
            if response.status_code == 200:
                windows[sub_order.sub_order_id] = response.json()["appointmentDates"]
                break
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"the service did not learn sub-order {sub_order.sub_order_id}: {response.text}"
                )
            await asyncio.sleep(0.1)
    return windows


async def open_model(
    name: str, rate: float, seconds: float, request: Callable[[], Awaitable[str]]
) -> Outcome:
    """Start request i at t0 + i / rate; each latency runs from its intended start."""
    outcome = Outcome(name, rate)

    async def timed(intended: float) -> None:
        try:
            status = await request()
        except (OSError, asyncio.IncompleteReadError, StopIteration) as error:
            status = type(error).__name__
        outcome.latencies_ms.append((time.perf_counter() - intended) * 1000)
        outcome.statuses[status] += 1

    total = int(rate * seconds)
    started = time.perf_counter()
    tasks = []
    for index in range(total):
        intended = started + index / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(intended)))
    await asyncio.gather(*tasks)
    outcome.elapsed_s = time.perf_counter() - started
    return outcome


async def main(args: argparse.Namespace) -> int:
    sp_id = f"bench-{uuid.uuid4().hex[:8]}"
    sub_orders, events = bench_events(sp_id, args.sub_orders)
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    lean = LeanHttp(args.url, args.connections)
    async with httpx.AsyncClient(base_url=args.url, timeout=10, limits=limits) as http:
        bench = Bench(http, lean, sp_id)
        print(f"seeding {len(sub_orders)} sub-orders through {args.bootstrap} ...", flush=True)
        await publish(args.bootstrap, events)
        windows = await known_windows(bench, sub_orders, seconds=60)
        bookable = [s for s in sub_orders if windows[s.sub_order_id]]
        if not bookable:
            raise SystemExit("no bench sub-order is offered a window: load the reference data first")

        async def get_dates() -> str:
            return await bench.measured_dates(random.choice(sub_orders))

        async def book() -> str:
            sub_order = random.choice(bookable)
            return await bench.measured_book(sub_order, random.choice(windows[sub_order.sub_order_id]))

        await lean.start()
        try:
            await open_model("warm-up", min(args.rate, 50), 1, get_dates)
            results = [
                await open_model("get-dates", args.rate, args.seconds, get_dates),
                await open_model("book", args.book_rate, args.seconds, book),
            ]
        finally:
            await lean.close()
            cancelled = await bench.cancel_all(sub_orders)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\nappointment service {args.url}; {os.cpu_count()} CPUs, shared with this load generator")
    print(f"load average (1, 5, 15 min): {load}")
    for result in results:
        print(result.line())
    print(f"{cancelled} bench appointments cancelled (capacity given back)")
    get_dates_p99 = results[0].p99()
    verdict = "met" if args.rate >= 200 and get_dates_p99 <= 30 else "not met (or not measured at 200/s)"
    print(f"target {TARGET}: {verdict} (p99 {get_dates_p99:.1f} ms at {args.rate:g}/s)")
    return 0


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("APPOINTMENT_URL", "http://127.0.0.1:8082"))
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--rate", type=float, default=200.0, help="get-dates requests per second")
    parser.add_argument("--book-rate", type=float, default=50.0, help="book requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each scenario")
    parser.add_argument("--sub-orders", type=int, default=200)
    parser.add_argument(
        "--connections", type=int, default=100, help="HTTP connection pool of the load generator"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse(sys.argv[1:]))))
