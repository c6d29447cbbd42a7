"""OMS traffic: the Merchandising services through the gateway (the `oms` demo client), and
Create Fulfillment Order as a Kafka command.

Requests are built on inventory's demo data set (`inventory data demo`): availability asks for 5
random items at 3 random locations; a backorder is one unit of the specification's sample line;
a fulfillment order is the specification's sample (a purchase order from supplier 2400) with
fresh order numbers. Every request has its own x-trace-id and x-transaction-id.
"""

from __future__ import annotations

import json
import random
import uuid
from importlib import resources
from typing import Any

from aiokafka import AIOKafkaProducer
from load_tool import Target

from shared_contracts import topics
from shared_contracts.merchandising import read_spec_sample
from shared_contracts.merchandising.operations import (
    AVAILABLE_INVENTORY_GET,
    FULFILLMENT_ORDER_CREATE,
    INVENTORY_BACKORDER_CREATE,
)

AVAILABILITY = "availability (gateway)"
BACKORDER = "backorder create (gateway)"
FULFILLMENT_HTTP = "fulfillment-order create (gateway)"
FULFILLMENT_KAFKA = "fulfillment-order create (Kafka command)"


def demo_set() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((resources.files("inventory.demo") / "demo.json").read_text())
    return data


class Oms:
    def __init__(self, gateway_url: str, credential: dict[str, Any]) -> None:
        self.gateway_url = gateway_url
        self.credential = credential
        self.tag = uuid.uuid4().hex[:8]
        self.random = random.Random(5)
        demo = demo_set()
        self.items = [entry["item"] for entry in demo["items"]]
        self.locations = [
            {"location": entry["location"], "locationType": entry["locationType"]}
            for entry in demo["locations"]
        ]
        self.fulfillment_sample = json.loads(read_spec_sample("fulfillment_order_create_request"))
        self.backorder_sample = json.loads(read_spec_sample("inventory_backorder_create_request"))

    def _target(self, number: int, operation: str, path: str, body: Any, method: str = "POST") -> Target:
        # Unique per request: the gateway replays (or refuses) a repeated x-transaction-id.
        unique = f"bench-{self.tag}-{operation}-{number}-{uuid.uuid4().hex[:8]}"
        headers = {
            "client_id": self.credential["client_id"],
            "client_secret": self.credential["client_secret"],
            "x-trace-id": unique,
            "x-transaction-id": unique,
            "content-type": "application/json",
        }
        return Target(method, f"{self.gateway_url}{path}", headers, json.dumps(body).encode())

    def availability_bodies(self, count: int) -> list[dict[str, Any]]:
        """Availability requests: 5 random demo items at 3 random demo locations each."""
        return [
            {
                "items": self.random.sample(self.items, 5),
                "inventoryLocations": self.random.sample(self.locations, 3),
            }
            for _ in range(count)
        ]

    def availability(self, number: int) -> Target:
        body = self.availability_bodies(1)[0]
        return self._target(number, "availability", AVAILABLE_INVENTORY_GET.path, body)

    def backorder(self, number: int) -> Target:
        body = json.loads(json.dumps(self.backorder_sample))
        body["items"][0]["backorderQuantity"] = 1
        return self._target(number, "backorder", INVENTORY_BACKORDER_CREATE.path, body)

    def fulfillment_order(self, number: int, channel: str) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(json.dumps(self.fulfillment_sample))
        order_no = f"B{self.tag}{channel}{number:07d}"
        for line in body["items"]:
            line["customerOrderNo"] = order_no
            line["fulfillOrderNo"] = order_no
        return body

    def fulfillment_http(self, number: int) -> Target:
        body = self.fulfillment_order(number, "H")
        return self._target(number, "fulfillment", FULFILLMENT_ORDER_CREATE.path, body)

    def transaction_id(self, number: int) -> str:
        return f"bench-{self.tag}-kafka-{number}"

    async def send_fulfillment_command(self, producer: AIOKafkaProducer, number: int) -> None:
        """FulfillmentOrderCreateRequested on the OMS topic, acknowledged by all replicas."""
        body = self.fulfillment_order(number, "K")
        await producer.send_and_wait(
            topics.OMS_FULFILLMENT_ORDERS,
            json.dumps(body).encode(),
            key=body["items"][0]["customerOrderNo"].encode(),
            headers=[
                ("ce_type", b"FulfillmentOrderCreateRequested"),
                ("x-trace-id", uuid.uuid4().hex.encode()),
                ("x-transaction-id", self.transaction_id(number).encode()),
            ],
        )
