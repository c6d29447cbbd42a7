"""Unique test data in inventory, requests to fulfillment (HTTP and Kafka), what fulfillment
stored and published, and the inventory invariant."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from fulfillment.config import Settings
from fulfillment.entrypoints.components import build_components
from fulfillment.entrypoints.http.routes import merchandising_router
from shared_contracts import topics
from shared_contracts.events import OrderSubmitted
from shared_contracts.merchandising import MERCH_BASE_PATH
from shared_http.app import create_app
from shared_messaging.testing import read_records, wait_until

from .conftest import IDENTITY, Stack, load, unique_location


class World:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.tag = uuid.uuid4().hex[:10]
        self.store = unique_location()
        self.franchise = unique_location()
        self.warehouse = unique_location()
        self.virtual_warehouse = unique_location()
        self.supplier = unique_location()
        self.items: list[str] = []

    def item(self, name: str) -> str:
        return f"F{self.tag}{name}"[:25]

    def order_no(self, name: str) -> str:
        return f"CO-{self.tag}-{name}"

    async def build(self, stock: dict[str, int], **item_types: str) -> None:
        """Items (REGULAR unless `item_types` says otherwise) with `stock` at the store and the
        virtual warehouse; a franchise store; a supplier supplying every item but `nosupply`."""
        names = set(stock) | set(item_types)
        self.items = [self.item(name) for name in names]
        await load(
            self.stack.inventory_pool,
            items=[
                {
                    "item": self.item(name),
                    "description": name,
                    "itemType": item_types.get(name, "REGULAR"),
                    "standardUom": "EA",
                }
                for name in names
            ],
            locations=[
                {"location": self.store, "locationType": "S", "name": "store", "customerOrderLocation": True},
                {
                    "location": self.franchise,
                    "locationType": "S",
                    "name": "franchise",
                    "franchise": True,
                    "stockholding": False,
                },
                {"location": self.warehouse, "locationType": "W", "name": "DC"},
                {
                    "location": self.virtual_warehouse,
                    "locationType": "W",
                    "name": "DC e-commerce",
                    "virtual": True,
                    "physicalWarehouse": self.warehouse,
                    "channelId": 1,
                    "customerOrderLocation": True,
                    "primaryVirtual": True,
                },
            ],
            suppliers=[{"supplier": self.supplier, "name": "supplier"}],
            supplierItems=[
                {"supplier": self.supplier, "item": self.item(name)} for name in names if name != "nosupply"
            ],
        )
        rows = []
        for name, quantity in stock.items():
            for location in (self.store, self.virtual_warehouse):
                rows.append({"item": self.item(name), "location": location, "stockOnHand": quantity})
        if rows:
            await load(self.stack.inventory_pool, stock=rows)

    def order(
        self,
        name: str,
        lines: list[tuple[str, int]],
        *,
        source: str | None = None,
        partial: str = "N",
        **extra: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "customerOrderNo": self.order_no(name),
            "fulfillOrderNo": self.order_no(name) + "-1",
            "fulfillLocationType": "S",
            "fulfillLocation": self.store,
            "partialDeliveryInd": partial,
            "consumerDeliveryDate": "2030-01-31",
            "details": [
                {
                    "item": self.item(item),
                    "orderQuantitySuom": quantity,
                    "substituteInd": "N",
                    "itemLineNo": number,
                }
                for number, (item, quantity) in enumerate(lines, start=1)
            ],
        }
        if source == "WH":
            body |= {"sourceLocationType": "WH", "sourceLocation": self.warehouse}
        elif source == "ST":
            body |= {"sourceLocationType": "ST", "sourceLocation": self.store}
        elif source == "SU":
            body |= {"sourceLocationType": "SU", "sourceLocation": self.supplier}
        return body | extra

    async def at_saga_warehouse(self, name: str, quantity: int) -> str:
        """The item, with `quantity` on hand where the saga holds (the stack's virtual warehouse)."""
        item = self.item(name)
        await load(
            self.stack.inventory_pool,
            stock=[{"item": item, "location": self.stack.saga.virtual_warehouse, "stockOnHand": quantity}],
        )
        return item

    async def reserved(self, item: str, location: int) -> Decimal:
        value = await self.stack.inventory_pool.fetchval(
            "SELECT customer_reserved FROM stock WHERE item = $1 AND location = $2", self.item(item), location
        )
        return Decimal(0) if value is None else Decimal(value)


async def merch(
    client: httpx.AsyncClient, method: str, operation: str, body: Any, **headers: str
) -> httpx.Response:
    sent = {**IDENTITY, "x-trace-id": uuid.uuid4().hex, **headers}
    return await client.request(method, f"{MERCH_BASE_PATH}/{operation}", json=body, headers=sent)


async def create(client: httpx.AsyncClient, *orders: dict[str, Any], **headers: str) -> httpx.Response:
    return await merch(client, "POST", "fulfillmentOrder/create", {"items": list(orders)}, **headers)


async def invariant_violations(pool: asyncpg.Pool, items: list[str]) -> list[asyncpg.Record]:
    """Item/locations where customer reserved differs from the sum of the open holds (HELD or
    CONFIRMED lines); `pool` is inventory's (tests only: fulfillment never reads inventory's schema)."""
    rows: list[asyncpg.Record] = await pool.fetch(
        """
        SELECT s.item, s.location, s.customer_reserved, coalesce(h.held, 0) AS held
        FROM stock s
        LEFT JOIN (
            SELECT item, location, sum(quantity) AS held FROM reservation_lines
            WHERE status IN ('HELD', 'CONFIRMED') AND item = ANY($1::text[])
            GROUP BY item, location) h ON h.item = s.item AND h.location = s.location
        WHERE s.item = ANY($1::text[]) AND s.customer_reserved <> coalesce(h.held, 0)
        """,
        items,
    )
    return rows


async def assert_invariant(pool: asyncpg.Pool, items: list[str]) -> None:
    await wait_until(lambda: _holds(pool, items), seconds=15, message="inventory invariant")


async def _holds(pool: asyncpg.Pool, items: list[str]) -> bool:
    if await invariant_violations(pool, items):
        return False
    held = await pool.fetchval(
        "SELECT count(*) FROM reservation_lines WHERE status = 'HELD' AND item = ANY($1::text[])", items
    )
    return bool(held == 0)


async def send_command(bootstrap: str, ce_type: str, body: dict[str, Any], transaction_id: str) -> None:
    """An OMS request on `oms.fulfillment-order.v1` (the OMS sends no CloudEvents id)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topics.OMS_FULFILLMENT_ORDERS,
            json.dumps(body).encode(),
            key=body["items"][0]["customerOrderNo"].encode() if body.get("items") else b"",
            headers=[
                ("ce_type", ce_type.encode()),
                ("x-trace-id", uuid.uuid4().hex.encode()),
                ("x-transaction-id", transaction_id.encode()),
            ],
        )
    finally:
        await producer.stop()


async def order_row(pool: asyncpg.Pool, customer_order_no: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT * FROM fulfillment_orders WHERE customer_order_no = $1", customer_order_no
    )
    return rows


def submitted(items: list[tuple[str, int]], **extra: Any) -> OrderSubmitted:
    """An OrderSubmitted of one sub-order with these (item, quantity) lines."""
    start = datetime.now(UTC) + timedelta(days=10)
    return OrderSubmitted.model_validate(
        {
            "orderId": str(uuid.uuid4()),
            "spId": "sp-tests",
            "subOrders": [
                {
                    "subOrderId": str(uuid.uuid4()),
                    "items": [
                        {"orderItemId": str(uuid.uuid4()), "item": item, "quantity": quantity}
                        for item, quantity in items
                    ],
                    "shippingAddress": {"street": "1 Main", "city": "Plano", "state": "TX", "zip": "75075"},
                    "appointment": {
                        "startDate": start.isoformat(),
                        "endDate": (start + timedelta(hours=4)).isoformat(),
                    },
                }
            ],
        }
        | extra
    )


async def published(bootstrap: str, key: str, seconds: float = 3) -> list[ConsumerRecord[bytes, bytes]]:
    """What fulfillment published on fulfillment.order.v1 under `key` (the customer order number)."""
    records = await read_records(bootstrap, topics.FULFILLMENT_ORDERS, count=100_000, seconds=seconds)
    return [record for record in records if record.key == key.encode()]


@asynccontextmanager
async def fulfillment_http(
    stack: Stack, *, network: bool = False, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """Fulfillment's HTTP routes with other settings, on the stack's database, without consumers
    (a second consumer in the group would take partitions from the stack's fulfillment). Inventory
    is the stack's, or with `network` whatever answers at `inventory_url`."""
    built = Settings(**{"inventory_url": "http://inventory", **settings})
    components = build_components(built, None if network else stack.inventory_transport)
    app = create_app("fulfillment", readiness={})
    app.include_router(merchandising_router(components))
    app.state.runtime = SimpleNamespace(pool=stack.pool)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://fulfillment") as client,
    ):
        yield client


async def dead_lettered(bootstrap: str, topic: str, transaction_id: str) -> bool:
    """A message with this `x-transaction-id` is on the topic's DLQ."""
    records = await read_records(bootstrap, topics.dlq(topic), count=100_000, seconds=1)
    return any(dict(r.headers).get("x-transaction-id") == transaction_id.encode() for r in records)
