"""The steady load the faults are injected under, and the ledger of what the platform accepted.

Distributor journeys through the gateway (create, installation, shipping, billing, dates, book,
submit) and OMS traffic (backorders and fulfillment orders on Kafka, fulfillment orders over HTTP).
The clients behave as careful real clients do during an outage: every write carries an
`x-transaction-id` (the gateway's idempotency key) and is retried with the same key on no answer,
a timeout, a 5xx or 429, until a deadline; an answer the platform gave (a 4xx) is final, except the
answers that only mean "not there yet" (an event still on its way), which are retried with a new key.
A journey whose step runs out of time is abandoned, not counted as accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from shared_contracts import topics
from shared_contracts.distributor import examples, paths
from shared_contracts.merchandising import read_spec_sample
from shared_testing.gateway_calls import billing_body

MERCH = "/MerchIntegrations/services/customerOrders"
SITES = {
    "sandbox-sp": dict(examples.KNOWN_GOOD_SITE_ADDRESS),
    "production-sp": {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"},
}
BACKORDER_SAMPLE = json.loads(read_spec_sample("inventory_backorder_create_request"))
BACKORDER_ITEM = BACKORDER_SAMPLE["items"][0]
"""The spec sample: +3 backordered of item 100050005 at store 1521, every time it is applied."""
FULFILLMENT_SAMPLE = json.loads(read_spec_sample("fulfillment_order_create_request"))


@dataclass
class Ledger:
    """What the clients know the platform accepted (and what they could not know)."""

    sent_external_ids: set[str] = field(default_factory=set)
    accepted: dict[str, str] = field(default_factory=dict)
    """externalOrderId -> orderId of every create answered 201."""
    submitted: set[str] = field(default_factory=set)
    """orderIds whose submit answered 200 SUBMITTED."""
    abandoned: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    backorders_sent: list[str] = field(default_factory=list)
    """x-transaction-id of every backorder command the broker acknowledged."""
    backorders_uncertain: int = 0
    """Sends that failed: the broker may or may not have written them."""
    kafka_fulfillment_orders: dict[str, str] = field(default_factory=dict)
    """x-transaction-id -> customerOrderNo of every acknowledged create command."""
    http_fulfillment_orders: set[str] = field(default_factory=set)
    """customerOrderNo of every create the gateway answered 200."""

    def summary(self) -> str:
        return (
            f"orders accepted {len(self.accepted)}, submitted {len(self.submitted)}, "
            f"abandoned {dict(self.abandoned)}, retries {dict(self.retries)}; backorders on Kafka "
            f"{len(self.backorders_sent)} (+{self.backorders_uncertain} uncertain), fulfillment orders "
            f"on Kafka {len(self.kafka_fulfillment_orders)}, over HTTP {len(self.http_fulfillment_orders)}"
        )


class Abandoned(Exception):
    pass


class Client:
    """One credential at the gateway, retrying as described in the module docstring."""

    def __init__(
        self, http: httpx.AsyncClient, credential: dict[str, Any], ledger: Ledger, step_seconds: float
    ):
        self.http = http
        self.credential = credential
        self.ledger = ledger
        self.step_seconds = step_seconds

    async def send(
        self,
        step: str,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        expect: int = 200,
        not_yet: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.step_seconds
        key = uuid.uuid4().hex
        delay = 0.2
        while True:
            headers = {
                "client_id": self.credential["client_id"],
                "client_secret": self.credential["client_secret"],
                "x-trace-id": f"faults-{uuid.uuid4().hex}",
                "x-transaction-id": key,
            }
            outcome: str
            try:
                response = await self.http.request(method, path, json=body, params=params, headers=headers)
            except httpx.TransportError as error:
                outcome = type(error).__name__
            else:
                if response.status_code == expect:
                    return response
                code = _error_code(response)
                if (
                    response.status_code >= 500
                    or response.status_code == 429
                    or code == "IDEMPOTENCY_IN_PROGRESS"
                ):
                    outcome = str(response.status_code)
                elif response.status_code in not_yet:
                    outcome = f"{response.status_code} {code}"
                    key = uuid.uuid4().hex  # the answer is stored under the old key
                else:
                    raise Abandoned(f"{step}: {response.status_code} {response.text[:200]}")
            self.ledger.retries[f"{step} {outcome}"] += 1
            if loop.time() + delay > deadline:
                raise Abandoned(f"{step}: no answer within {self.step_seconds:g} s (last: {outcome})")
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def journey(self) -> None:
        ledger = self.ledger
        external_id = f"FAULT-{uuid.uuid4().hex[:12]}"
        site = SITES[self.credential["name"]]
        body = copy.deepcopy(examples.CREATE_ORDER)
        body["subOrders"][0]["siteAddress"] = site
        body["externalOrderId"] = external_id
        ledger.sent_external_ids.add(external_id)
        order = (await self.send("create", "POST", paths.CREATE_ORDER, body=body, expect=201)).json()
        ledger.accepted[external_id] = order["orderId"]
        ids = {"orderId": order["orderId"], "subOrderId": order["subOrders"][0]["subOrderId"]}
        start = date.today() + timedelta(days=random.randint(7, 90))
        installation = copy.deepcopy(examples.INSTALLATION) | ids
        installation |= {
            "siteAddress": site,
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": (start + timedelta(days=13)).isoformat(),
        }
        await self.send("installation", "PUT", paths.INSTALLATION, body=installation)
        await self.send("shipping", "POST", paths.SHIPPING, body=copy.deepcopy(examples.SHIPPING) | ids)
        await self.send("billing", "POST", paths.BILLING, body=billing_body(order))
        # The appointment service learns the sub-order from events: until then, 404 or 409.
        dates = await self.send(
            "dates", "GET", paths.APPOINTMENT_DATES, params=ids, not_yet=frozenset({404, 409})
        )
        window = random.choice(dates.json()["appointmentDates"])
        booking = ids | {"startDate": window["startDate"], "endDate": window["endDate"]}
        await self.send(
            "book", "POST", paths.APPOINTMENT, body=booking, expect=201, not_yet=frozenset({404, 409})
        )
        # Enrichment learns the booking from an event: until then, 409 STEP_INCOMPLETE.
        submitted = await self.send(
            "submit", "POST", paths.SUBMIT, body={"orderId": order["orderId"]}, not_yet=frozenset({409})
        )
        if submitted.json().get("orderStatus") == "SUBMITTED":
            ledger.submitted.add(order["orderId"])

    async def http_fulfillment_order(self) -> None:
        number = f"FH{uuid.uuid4().hex[:14]}"
        body = _fulfillment_order(number)
        await self.send("oms fulfillment order", "POST", f"{MERCH}/fulfillmentOrder/create", body=body)
        self.ledger.http_fulfillment_orders.add(number)


def _error_code(response: httpx.Response) -> str | None:
    with contextlib.suppress(ValueError, AttributeError):
        code = response.json().get("code")
        return str(code) if code else None
    return None


def _fulfillment_order(number: str) -> dict[str, Any]:
    body = copy.deepcopy(FULFILLMENT_SAMPLE)
    for entry in body["items"]:
        entry["customerOrderNo"] = entry["fulfillOrderNo"] = number
    return body


class OmsProducer:
    """The OMS on Kafka: commands with `ce_type`, `x-trace-id` and `x-transaction-id` only."""

    def __init__(self, bootstrap: str, ledger: Ledger) -> None:
        self.bootstrap = bootstrap
        self.ledger = ledger
        self.producer: AIOKafkaProducer | None = None

    async def _producer(self) -> AIOKafkaProducer:
        if self.producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap,
                acks="all",
                enable_idempotence=True,
                request_timeout_ms=10_000,
            )
            await asyncio.wait_for(producer.start(), 15)
            self.producer = producer
        return self.producer

    async def _send(self, topic: str, ce_type: str, body: dict[str, Any], key: str, transaction: str) -> bool:
        headers = [
            ("ce_type", ce_type.encode()),
            ("x-trace-id", f"faults-{uuid.uuid4().hex}".encode()),
            ("x-transaction-id", transaction.encode()),
        ]
        try:
            producer = await self._producer()
            await asyncio.wait_for(
                producer.send_and_wait(topic, json.dumps(body).encode(), key=key.encode(), headers=headers),
                20,
            )
            return True
        except Exception:
            await self.close()
            return False

    async def backorder(self) -> None:
        transaction = f"bo-{uuid.uuid4().hex}"
        sent = await self._send(
            topics.OMS_INVENTORY_BACKORDERS,
            "InventoryBackorderRequested",
            BACKORDER_SAMPLE,
            BACKORDER_ITEM["item"],
            transaction,
        )
        if sent:
            self.ledger.backorders_sent.append(transaction)
        else:
            self.ledger.backorders_uncertain += 1

    async def fulfillment_order(self) -> None:
        number = f"FK{uuid.uuid4().hex[:14]}"
        transaction = f"fo-{uuid.uuid4().hex}"
        body = _fulfillment_order(number)
        if await self._send(
            topics.OMS_FULFILLMENT_ORDERS, "FulfillmentOrderCreateRequested", body, number, transaction
        ):
            self.ledger.kafka_fulfillment_orders[transaction] = number

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 10)


@dataclass
class Load:
    gateway_url: str
    bootstrap: str
    credentials: dict[str, dict[str, Any]]
    ledger: Ledger
    journeys: int
    """Journeys running at the same time (each starts the next when it ends)."""
    oms_interval: float
    step_seconds: float

    @contextlib.asynccontextmanager
    async def running(self) -> Any:
        """The load runs for the block; at its end no new work starts and the work in flight
        finishes (each step bounded by `step_seconds`)."""
        stop = asyncio.Event()
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=10, limits=limits) as http:
            distributors = [
                Client(http, self.credentials[name], self.ledger, self.step_seconds) for name in SITES
            ]
            oms = Client(http, self.credentials["oms"], self.ledger, self.step_seconds)
            producer = OmsProducer(self.bootstrap, self.ledger)
            workers = [
                asyncio.create_task(self._journeys(distributors[index % len(distributors)], stop))
                for index in range(self.journeys)
            ]
            workers.append(asyncio.create_task(self._oms(oms, producer, stop)))
            try:
                yield self.ledger
            finally:
                stop.set()
                await asyncio.wait_for(asyncio.gather(*workers), 10 * self.step_seconds)
                await producer.close()

    async def _journeys(self, client: Client, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await client.journey()
            except Abandoned as reason:
                self.ledger.abandoned[str(reason).split(":")[0]] += 1
                await asyncio.sleep(0.5)

    async def _oms(self, client: Client, producer: OmsProducer, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await producer.backorder()
            await producer.fulfillment_order()
            try:
                await client.http_fulfillment_order()
            except Abandoned as reason:
                self.ledger.abandoned[str(reason).split(":")[0]] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.oms_interval)
