"""Benchmark of a running appointment service: get-dates and book at a fixed arrival rate.

    .venv/bin/python services/appointment/tests/bench_appointments.py \
        [--url http://127.0.0.1:8082] [--bootstrap 127.0.0.1:9092] \
        [--rate 200] [--book-rate 50] [--seconds 10] [--sub-orders 200]

Open model with vegeta (tests/benchmarks/load_tool.py, on PYTHONPATH as `make bench-appointments`
sets it): request i is sent at t0 + i / rate whatever happened to earlier requests, so a slow
service shows up as latency, not as a lower rate (no coordinated omission); one target per
request. The service is called directly, with the identity headers the gateway would add (a
production credential of a fresh bench SP).

Set-up: OrderEnriched (installation) of `--sub-orders` bench sub-orders are
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
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from aiokafka import AIOKafkaProducer
from load_tool import Target, attack

from shared_contracts.distributor import paths
from shared_contracts.events import Event, OrderEnriched
from shared_contracts.messages import OutgoingRecord, meta_for

SITE = {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"}
TARGET = "get-dates p99 <= 30 ms at 200 requests/s"


@dataclass(frozen=True)
class BenchSubOrder:
    order_id: str
    sub_order_id: str
    start: date
    due: date


class Bench:
    def __init__(self, http: httpx.AsyncClient, url: str, sp_id: str) -> None:
        self.http = http
        self.url = url
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

    def dates_target(self, sub_order: BenchSubOrder) -> Target:
        query = urlencode({"orderId": sub_order.order_id, "subOrderId": sub_order.sub_order_id})
        return Target("GET", f"{self.url}{paths.APPOINTMENT_DATES}?{query}", self.headers())

    def book_target(self, sub_order: BenchSubOrder, window: dict[str, Any]) -> Target:
        body = {
            "orderId": sub_order.order_id,
            "subOrderId": sub_order.sub_order_id,
            "startDate": window["startDate"],
            "endDate": window["endDate"],
        }
        headers = self.headers() | {"content-type": "application/json"}
        return Target("POST", f"{self.url}{paths.APPOINTMENT}", headers, json.dumps(body).encode())

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
            OrderEnriched.model_validate(
                {
                    "orderId": sub_order.order_id,
                    "spId": sp_id,
                    "environment": "production",
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


async def main(args: argparse.Namespace) -> int:
    sp_id = f"bench-{uuid.uuid4().hex[:8]}"
    sub_orders, events = bench_events(sp_id, args.sub_orders)
    async with httpx.AsyncClient(base_url=args.url, timeout=10) as http:
        bench = Bench(http, args.url, sp_id)
        print(f"seeding {len(sub_orders)} sub-orders through {args.bootstrap} ...", flush=True)
        await publish(args.bootstrap, events)
        windows = await known_windows(bench, sub_orders, seconds=60)
        bookable = [s for s in sub_orders if windows[s.sub_order_id]]
        if not bookable:
            raise SystemExit("no bench sub-order is offered a window: load the reference data first")

        def dates(count: int) -> list[Target]:
            return [bench.dates_target(random.choice(sub_orders)) for _ in range(count)]

        def books(count: int) -> list[Target]:
            picked = [random.choice(bookable) for _ in range(count)]
            return [bench.book_target(s, random.choice(windows[s.sub_order_id])) for s in picked]

        try:
            await attack("warm-up", dates(min(round(args.rate), 50)), min(args.rate, 50))
            results = [
                await attack("get-dates", dates(round(args.rate * args.seconds)), args.rate),
                await attack("book", books(round(args.book_rate * args.seconds)), args.book_rate),
            ]
        finally:
            cancelled = await bench.cancel_all(sub_orders)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\nappointment service {args.url}; {os.cpu_count()} CPUs, shared with this load generator (vegeta)"
    )
    print(f"load average (1, 5, 15 min): {load}")
    for result in results:
        print(result.line())
    print(f"{cancelled} bench appointments cancelled (capacity given back)")
    get_dates_p99 = results[0].latency.get("p99_ms")
    met = args.rate >= 200 and get_dates_p99 is not None and get_dates_p99 <= 30
    verdict = "met" if met else "not met (or not measured at 200/s)"
    shown = "> run" if get_dates_p99 is None else f"{get_dates_p99:.1f} ms"
    print(f"target {TARGET}: {verdict} (p99 {shown} at {args.rate:g}/s)")
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
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse(sys.argv[1:]))))
