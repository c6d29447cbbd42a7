"""Benchmark of fulfillment: create requests/s, and submit -> FulfillmentOrderCreated -> CONFIRMED
latency at a fixed rate of distributor journeys. Not a pytest module.

    .venv/bin/python services/fulfillment/tests/bench_fulfillment.py \
        [--create-seconds 10] [--create-concurrency 8] [--rate 20] [--journeys 100]

It starts the five services as processes on the test Kafka and PostgreSQL (the same
infrastructure `make test` uses), seeds the demo clients and inventory's demo data plus one bench
item with plenty of stock at the shipping virtual warehouse 1001, then

1. create: `--create-concurrency` closed-loop clients POST Create Fulfillment Order (one purchase
   order of supplier 2400, fresh numbers each time) straight to the fulfillment service with the
   gateway's identity headers, for `--create-seconds`; prints requests/s and p50/p99;
2. journeys: `--journeys` orders are created, enriched and booked through the gateway (not
   timed); then they are submitted at `--rate` per second, open model: submit i is due at
   t0 + i / rate and its latencies are measured from that intended start (no coordinated
   omission) to FulfillmentOrderCreated (fulfillment.order.v1) and to OrderStatusChanged ->
   CONFIRMED (orders.order.v1), both observed on Kafka. Bench appointments are cancelled at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from shared_contracts import topics
from shared_contracts.distributor import examples, paths
from shared_contracts.topics import DEFAULT_PARTITIONS, EVENT_TOPICS
from shared_db.provision import provision
from shared_messaging.testing import wait_until
from shared_messaging.topics import ensure_topics
from shared_testing.infrastructure import kafka_bootstrap_servers, postgres_admin_url
from shared_testing.platform import running_platform

IDENTITY = {"x-client-id": "bench-oms", "x-environment": "production", "x-roles": "merchandising"}
SITE = dict(examples.KNOWN_GOOD_SITE_ADDRESS)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True, timeout=300)


async def bench_create(url: str, seconds: float, concurrency: int) -> None:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    tag = uuid.uuid4().hex[:8]

    async def worker(client: httpx.AsyncClient, number: int) -> None:
        count = 0
        while time.perf_counter() < deadline:
            count += 1
            order_no = f"BENCH-{tag}-{number}-{count}"
            body = json.loads(examples_create())
            body["items"][0]["customerOrderNo"] = order_no
            body["items"][0]["fulfillOrderNo"] = order_no
            started = time.perf_counter()
            response = await client.post(
                "/MerchIntegrations/services/customerOrders/fulfillmentOrder/create",
                json=body,
                headers=IDENTITY | {"x-trace-id": uuid.uuid4().hex},
            )
            assert response.status_code == 200, response.text
            latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client, n) for n in range(concurrency)))
        elapsed = time.perf_counter() - began
    print(
        f"create: {len(latencies)} requests in {elapsed:.1f} s = {len(latencies) / elapsed:.0f} req/s "
        f"(concurrency {concurrency}); p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms"
    )


def examples_create() -> str:
    from shared_contracts.merchandising import read_spec_sample

    return read_spec_sample("fulfillment_order_create_request")


class Journeys:
    def __init__(self, http: httpx.AsyncClient, credential: dict[str, Any]) -> None:
        self.http = http
        self.credential = credential
        self.booked: list[str] = []

    async def ok(
        self, method: str, path: str, body: Any = None, status: int = 200, params: Any = None
    ) -> Any:
        headers = {
            "client_id": self.credential["client_id"],
            "client_secret": self.credential["client_secret"],
            "x-trace-id": uuid.uuid4().hex,
        }
        for _ in range(50):
            response = await self.http.request(method, path, json=body, params=params, headers=headers)
            if response.status_code != 429:
                break
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def prepared(self, item: str) -> str:
        body = copy.deepcopy(examples.CREATE_ORDER)
        body["subOrders"][0]["siteAddress"] = SITE
        body["subOrders"][0]["items"] = [{"item": item, "quantity": 1, "orderItemType": "EQUIPMENT"}]
        order = await self.ok("POST", paths.CREATE_ORDER, body, status=201)
        ids = {"orderId": order["orderId"], "subOrderId": order["subOrders"][0]["subOrderId"]}
        start = date.today() + timedelta(days=random.randint(7, 80))
        installation = copy.deepcopy(examples.INSTALLATION) | ids
        installation |= {
            "siteAddress": SITE,
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": (start + timedelta(days=13)).isoformat(),
        }
        await self.ok("PUT", paths.INSTALLATION, installation)
        await self.ok("POST", paths.SHIPPING, copy.deepcopy(examples.SHIPPING) | ids)
        billed = [
            {
                "orderItemId": e["orderItemId"],
                "unitPrice": 1,
                "currency": "USD",
                "billingFrequency": "ONE_TIME",
            }
            for e in order["subOrders"][0]["subOrderItems"]
        ]
        await self.ok("POST", paths.BILLING, copy.deepcopy(examples.BILLING) | ids | {"orderedItems": billed})
        window = random.choice(
            (await self.ok("GET", paths.APPOINTMENT_DATES, params=ids))["appointmentDates"]
        )
        booked = await self.ok(
            "POST",
            paths.APPOINTMENT,
            ids | {"startDate": window["startDate"], "endDate": window["endDate"]},
            status=201,
        )
        self.booked.append(booked["appointmentId"])
        order_id: str = order["orderId"]
        return order_id


async def watch(bootstrap: str, seen: dict[tuple[str, str], float], stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        topics.FULFILLMENT_ORDERS, topics.ORDERS, bootstrap_servers=bootstrap, auto_offset_reset="latest"
    )
    await consumer.start()
    try:
        await wait_until(consumer.assignment, seconds=30, message="partitions assigned")
        for partition in consumer.assignment():
            await consumer.seek_to_end(partition)
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    headers = dict(record.headers)
                    kind = (headers.get("ce_type") or b"").decode()
                    key = (record.key or b"").decode()
                    if kind == "FulfillmentOrderCreated":
                        seen.setdefault((key, "created"), now)
                    elif kind == "OrderStatusChanged" and json.loads(record.value).get("to") == "CONFIRMED":
                        seen.setdefault((key, "confirmed"), now)
    finally:
        await consumer.stop()


async def bench_journeys(
    gateway: str, bootstrap: str, credential: dict[str, Any], item: str, rate: float, count: int
) -> None:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        journeys = Journeys(http, credential)
        order_ids: list[str] = []
        for _ in range(count):
            order_ids.append(await journeys.prepared(item))
        seen: dict[tuple[str, str], float] = {}
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(bootstrap, seen, stop))
        await asyncio.sleep(2)
        t0 = time.perf_counter()
        due: dict[str, float] = {}

        async def submit(index: int, order_id: str) -> None:
            due[order_id] = t0 + index / rate
            await asyncio.sleep(max(0.0, due[order_id] - time.perf_counter()))
            await journeys.ok("POST", paths.SUBMIT, {"orderId": order_id})

        await asyncio.gather(*(submit(i, order_id) for i, order_id in enumerate(order_ids)))
        with contextlib.suppress(TimeoutError):
            await wait_until(
                lambda: all((o, "confirmed") in seen for o in order_ids), seconds=30, message="all confirmed"
            )
        stop.set()
        await watcher
        created = [seen[(o, "created")] - due[o] for o in order_ids if (o, "created") in seen]
        confirmed = [seen[(o, "confirmed")] - due[o] for o in order_ids if (o, "confirmed") in seen]
        for appointment_id in journeys.booked:
            await http.delete(
                f"/api/v1/service-appointment/{appointment_id}",
                headers={
                    "client_id": credential["client_id"],
                    "client_secret": credential["client_secret"],
                    "x-trace-id": uuid.uuid4().hex,
                },
            )
    print(f"journeys: {count} submitted at {rate:g}/s (open model)")
    for name, values in (("submit -> FulfillmentOrderCreated", created), ("submit -> CONFIRMED", confirmed)):
        print(
            f"  {name}: {len(values)}/{count} observed; p50 {percentile(values, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(values, 0.99) * 1000:.0f} ms, "
            f"mean {statistics.fmean(values) * 1000 if values else 0:.0f} ms"
        )


async def main(arguments: argparse.Namespace) -> None:
    with kafka_bootstrap_servers() as bootstrap, postgres_admin_url() as admin_url:
        urls = await provision(admin_url)
        await ensure_topics(bootstrap, list(EVENT_TOPICS), DEFAULT_PARTITIONS)
        work = Path(tempfile.mkdtemp(prefix="bench-fulfillment-"))
        item = f"B{uuid.uuid4().hex[:12]}"
        data = work / "items.json"
        data.write_text(
            json.dumps(
                {
                    "items": [
                        {"item": item, "description": "bench", "itemType": "REGULAR", "standardUom": "EA"}
                    ],
                    "stock": [{"item": item, "location": 1001, "stockOnHand": 100000}],
                }
            )
        )
        run([sys.executable, "-m", "inventory", "data", "demo"], {"DATABASE_URL": urls["inventory"]})
        run(
            [sys.executable, "-m", "inventory", "data", "load", str(data)],
            {"DATABASE_URL": urls["inventory"]},
        )
        clients = work / "clients.json"
        run(
            [sys.executable, "-m", "gateway", "clients", "seed-demo", "--out", str(clients)],
            {"DATABASE_URL": urls["gateway"]},
        )
        credential = next(c for c in json.loads(clients.read_text()) if c["name"] == "sandbox-sp")
        async with running_platform(
            database_urls=urls, kafka_bootstrap=bootstrap, work_dir=work, extra_env={"LOG_LEVEL": "WARNING"}
        ) as platform:
            await bench_create(
                platform.urls["fulfillment"], arguments.create_seconds, arguments.create_concurrency
            )
            await bench_journeys(
                platform.urls["gateway"], bootstrap, credential, item, arguments.rate, arguments.journeys
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--create-seconds", type=float, default=10)
    parser.add_argument("--create-concurrency", type=int, default=8)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--journeys", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
