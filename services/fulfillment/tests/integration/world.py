"""Unique test data in inventory, requests to fulfillment, and the inventory invariant."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from shared_contracts.merchandising import MERCH_BASE_PATH
from shared_messaging.testing import wait_until

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
