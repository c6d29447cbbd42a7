"""Distributor journeys through the gateway at a fixed arrival rate, one stage after the other.

A journey is create order, installation, shipping, billing, get dates, book, submit. Each stage is
one vegeta attack at the journey rate whose targets are built from the previous stage's answers
(ids, offered windows), so every request carries its own body; a journey whose stage failed stops
there. Submits are timed on to the order's OrderStatusChanged -> CONFIRMED on Kafka (end to end).
Requests carry a sandbox-sp credential and a fresh x-trace-id, which the gateway echoes: that is how
an answer is matched to its journey.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from kafka_watch import Outcomes, wait_seen
from load_tool import Attack, Target

from shared_contracts.distributor import examples, paths

SITE = dict(examples.KNOWN_GOOD_SITE_ADDRESS)
STAGES = ("create order", "installation", "shipping", "billing", "get dates", "book", "submit")
END_TO_END = "submit -> CONFIRMED (Kafka)"

Attacker = Callable[[str, Sequence[Target], float, bool], Awaitable[Attack]]
"""Runs one attack: (operation, targets, rate, keep bodies) -> what it measured."""


@dataclass
class Journey:
    number: int
    quote_id: str
    order_id: str = ""
    sub_order_id: str = ""
    order_item_ids: list[str] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    trace_ids: dict[str, str] = field(default_factory=dict)
    """Stage -> the x-trace-id of its request."""


class Distributor:
    """Builds the gateway requests of journeys for one credential."""

    def __init__(self, gateway_url: str, credential: dict[str, Any], items: Sequence[str] = ()) -> None:
        self.gateway_url = gateway_url
        self.credential = credential
        self.items = list(items)
        """Ordered in turn, one per order; none: the example order's items."""
        self.tag = uuid.uuid4().hex[:8]
        self.random = random.Random(7)

    def target(self, journey: Journey, stage: str, method: str, path: str, body: Any = None) -> Target:
        trace_id = f"bench-{self.tag}-{journey.number}-{stage.replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
        journey.trace_ids[stage] = trace_id
        headers = {
            "client_id": self.credential["client_id"],
            "client_secret": self.credential["client_secret"],
            "x-trace-id": trace_id,
        }
        payload = b""
        if body is not None:
            headers["content-type"] = "application/json"
            payload = json.dumps(body).encode()
        return Target(method, f"{self.gateway_url}{path}", headers, payload)

    def journeys(self, count: int, first: int = 0) -> list[Journey]:
        return [Journey(number, f"Q-{self.tag}-{number:07d}") for number in range(first, first + count)]

    def create(self, journey: Journey) -> Target:
        body = copy.deepcopy(examples.CREATE_ORDER)
        body |= {"quoteId": journey.quote_id, "externalOrderId": f"PO-{journey.quote_id}"}
        body["subOrders"][0]["siteAddress"] = SITE
        if self.items:
            item = self.items[journey.number % len(self.items)]
            body["subOrders"][0]["items"] = [{"item": item, "quantity": 1, "orderItemType": "EQUIPMENT"}]
        return self.target(journey, "create order", "POST", paths.CREATE_ORDER, body)

    def ids(self, journey: Journey) -> dict[str, str]:
        return {"orderId": journey.order_id, "subOrderId": journey.sub_order_id}

    def installation(self, journey: Journey) -> Target:
        start = date.today() + timedelta(days=self.random.randint(7, 80))
        body = copy.deepcopy(examples.INSTALLATION) | self.ids(journey)
        body |= {
            "siteAddress": SITE,
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": (start + timedelta(days=13)).isoformat(),
        }
        return self.target(journey, "installation", "PUT", paths.INSTALLATION, body)

    def shipping(self, journey: Journey) -> Target:
        body = copy.deepcopy(examples.SHIPPING) | self.ids(journey)
        return self.target(journey, "shipping", "POST", paths.SHIPPING, body)

    def billing(self, journey: Journey) -> Target:
        billed = [
            {"orderItemId": item, "unitPrice": 1, "currency": "USD", "billingFrequency": "ONE_TIME"}
            for item in journey.order_item_ids
        ]
        body = copy.deepcopy(examples.BILLING) | self.ids(journey)
        body |= {"quoteId": journey.quote_id, "orderedItems": billed}
        return self.target(journey, "billing", "POST", paths.BILLING, body)

    def dates(self, journey: Journey) -> Target:
        path = f"{paths.APPOINTMENT_DATES}?{urlencode(self.ids(journey))}"
        return self.target(journey, "get dates", "GET", path)

    def book(self, journey: Journey) -> Target:
        window = self.random.choice(journey.windows)
        body = self.ids(journey) | {"startDate": window["startDate"], "endDate": window["endDate"]}
        return self.target(journey, "book", "POST", paths.APPOINTMENT, body)

    def submit(self, journey: Journey) -> Target:
        return self.target(journey, "submit", "POST", paths.SUBMIT, {"orderId": journey.order_id})


def _created(journey: Journey, answer: Any) -> None:
    journey.order_id = answer["orderId"]
    sub_order = answer["subOrders"][0]
    journey.sub_order_id = sub_order["subOrderId"]
    journey.order_item_ids = [item["orderItemId"] for item in sub_order["subOrderItems"]]


def _offered(journey: Journey, answer: Any) -> None:
    journey.windows = list(answer["appointmentDates"])


async def run_stage(
    attacker: Attacker,
    stage: str,
    journeys: list[Journey],
    build: Callable[[Journey], Target],
    rate: float,
    *,
    label: str = "",
    learn: Callable[[Journey, Any], None] | None = None,
) -> tuple[Attack, list[Journey]]:
    """One stage for every journey at `rate`; the journeys it succeeded for (and what they learned)."""
    targets = [build(journey) for journey in journeys]
    attack = await attacker(f"{stage}{label}", targets, rate, learn is not None)
    answers = attack.by_trace_id()
    passed = []
    for journey in journeys:
        hit = answers.get(journey.trace_ids[stage])
        if hit is None:
            continue
        if learn is not None:
            learn(journey, hit.json())
        passed.append(journey)
    return attack, passed


async def run_journeys(
    attacker: Attacker,
    distributor: Distributor,
    outcomes: Outcomes,
    rate: float,
    count: int,
    *,
    wait_confirmed_s: float = 30.0,
    label: str = "",
    stages: Sequence[str] = STAGES,
) -> tuple[list[Attack], dict[str, float], list[Journey]]:
    """Every stage at `rate` for `count` journeys; the attacks, each submitted order's submit start
    (for the end-to-end figure, see `confirmed_latency`), and the journeys that got through."""
    journeys = distributor.journeys(count)
    steps: list[tuple[str, Callable[[Journey], Target], Callable[[Journey, Any], None] | None]] = [
        ("create order", distributor.create, _created),
        ("installation", distributor.installation, None),
        ("shipping", distributor.shipping, None),
        ("billing", distributor.billing, None),
        ("get dates", distributor.dates, _offered),
        ("book", distributor.book, None),
        ("submit", distributor.submit, None),
    ]
    attacks: list[Attack] = []
    submitted: dict[str, float] = {}
    for stage, build, learn in steps:
        if stage not in stages or not journeys:
            break
        if stage == "book":
            journeys = [journey for journey in journeys if journey.windows]
        attack, journeys = await run_stage(attacker, stage, journeys, build, rate, label=label, learn=learn)
        attacks.append(attack)
        if stage == "submit":
            answers = attack.by_trace_id()
            submitted = {j.order_id: answers[j.trace_ids["submit"]].started for j in journeys}
    if submitted:
        await wait_seen(outcomes.confirmed, submitted, wait_confirmed_s)
    return attacks, submitted, journeys
