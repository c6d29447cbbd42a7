"""A distributor journey through the gateway on the real processes, on to fulfillment and inventory:
enough stock ends CONFIRMED with the stock reserved at the shipping virtual warehouse; too little
ends PARTIALLY_CONFIRMED with the shortage backordered. Inventory's invariant is checked with the
admin URL (tests only). Appointments booked here are cancelled at the end."""

import copy
import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from shared_contracts.distributor import examples, paths
from shared_messaging.testing import wait_until
from shared_testing.platform import Platform

SITE = dict(examples.KNOWN_GOOD_SITE_ADDRESS)
SHIPPING_WAREHOUSE = 1001  # fulfillment's default sourcing: warehouse 10, channel 1 (demo data)


def inventory_command(database_url: str, *argv: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "inventory", *argv],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def items(service_db_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The demo set (warehouse 10 and its virtual warehouses), and two items of our own at the
    shipping virtual warehouse: `plenty` (50 units) and `scarce` (1 unit). The demo items' stock
    is shared with every other run, so the assertions use ours."""
    inventory_command(service_db_urls["inventory"], "data", "demo")
    tag = uuid.uuid4().hex[:12]
    stock = {"plenty": 50, "scarce": 1}
    data = {
        "items": [
            {
                "item": f"E{tag}{name}",
                "description": f"{name} e2e item",
                "itemType": "REGULAR",
                "standardUom": "EA",
            }
            for name in stock
        ],
        "stock": [
            {"item": f"E{tag}{name}", "location": SHIPPING_WAREHOUSE, "stockOnHand": units}
            for name, units in stock.items()
        ],
    }
    path = tmp_path_factory.mktemp("items") / "items.json"
    path.write_text(json.dumps(data))
    inventory_command(service_db_urls["inventory"], "data", "load", str(path))
    return {name: f"E{tag}{name}" for name in stock}


class Distributor:
    def __init__(self, http: httpx.AsyncClient, credential: dict[str, Any]) -> None:
        self.http = http
        self.credential = credential
        self.booked: list[str] = []

    async def call(self, method: str, path: str, body: Any = None, params: Any = None) -> httpx.Response:
        headers = {
            "client_id": self.credential["client_id"],
            "client_secret": self.credential["client_secret"],
            "x-trace-id": f"fulfillment-journey-{uuid.uuid4().hex}",
        }
        return await self.http.request(method, path, json=body, params=params, headers=headers)

    async def ok(
        self, method: str, path: str, body: Any = None, status: int = 200, params: Any = None
    ) -> Any:
        response = await self.call(method, path, body, params)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def submitted_order(self, item: str, quantity: int) -> str:
        body = copy.deepcopy(examples.CREATE_ORDER)
        body["subOrders"][0]["siteAddress"] = SITE
        body["subOrders"][0]["items"] = [{"item": item, "quantity": quantity, "orderItemType": "EQUIPMENT"}]
        body["externalOrderId"] = f"PO-{uuid.uuid4().hex[:8]}"
        order = await self.ok("POST", paths.CREATE_ORDER, body, status=201)
        ids = {"orderId": order["orderId"], "subOrderId": order["subOrders"][0]["subOrderId"]}
        start = date.today() + timedelta(days=random.randint(7, 60))
        installation = (
            copy.deepcopy(examples.INSTALLATION)
            | ids
            | {
                "siteAddress": SITE,
                "customerRequestedStartDate": start.isoformat(),
                "customerRequestedDueDate": (start + timedelta(days=13)).isoformat(),
            }
        )
        await self.ok("PUT", paths.INSTALLATION, installation)
        await self.ok("POST", paths.SHIPPING, copy.deepcopy(examples.SHIPPING) | ids)
        billed = [
            {
                "orderItemId": entry["orderItemId"],
                "unitPrice": 12.99,
                "currency": "USD",
                "billingFrequency": "ONE_TIME",
            }
            for entry in order["subOrders"][0]["subOrderItems"]
        ]
        await self.ok("POST", paths.BILLING, copy.deepcopy(examples.BILLING) | ids | {"orderedItems": billed})
        dates = await self.ok("GET", paths.APPOINTMENT_DATES, params=ids)
        window = random.choice(dates["appointmentDates"])
        booked = await self.ok(
            "POST",
            paths.APPOINTMENT,
            ids | {"startDate": window["startDate"], "endDate": window["endDate"]},
            status=201,
        )
        self.booked.append(booked["appointmentId"])
        submitted = await self.ok("POST", paths.SUBMIT, {"orderId": order["orderId"]})
        assert submitted["orderStatus"] == "SUBMITTED"
        order_id: str = order["orderId"]
        return order_id

    async def final_status(self, order_id: str) -> str:
        async def settled() -> str | None:
            status: str = (await self.ok("GET", f"/api/v1/order/{order_id}"))["orderStatus"]
            return None if status == "SUBMITTED" else status

        found: str = await wait_until(
            settled, seconds=30, interval=0.1, message=f"order {order_id} confirmed"
        )
        return found


@pytest_asyncio.fixture(loop_scope="session")
async def distributor(platform: Platform, demo_clients: dict[str, Any]) -> AsyncIterator[Distributor]:
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=20) as http:
        client = Distributor(http, demo_clients["sandbox-sp"])
        yield client
        for appointment_id in client.booked:
            await client.call("DELETE", f"/api/v1/service-appointment/{appointment_id}")


async def reservation_lines(admin_url: str, order_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(admin_url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(
            "SELECT l.item, l.location, l.quantity, l.status FROM inventory.reservation_lines l "
            "JOIN inventory.reservations r USING (reservation_id) WHERE r.customer_order_no = $1",
            order_id,
        )
        return rows
    finally:
        await conn.close()


async def invariant_holds(admin_url: str, items: list[str]) -> bool:
    conn = await asyncpg.connect(admin_url)
    try:
        broken = await conn.fetchval(
            """
            SELECT count(*) FROM inventory.stock s
            LEFT JOIN (SELECT item, location, sum(quantity) AS held FROM inventory.reservation_lines
                       WHERE status IN ('HELD', 'CONFIRMED') GROUP BY item, location) h
              ON h.item = s.item AND h.location = s.location
            WHERE s.item = ANY($1::text[]) AND s.customer_reserved <> coalesce(h.held, 0)
            """,
            items,
        )
        return bool(broken == 0)
    finally:
        await conn.close()


async def test_enough_stock_ends_confirmed_with_the_stock_reserved(
    distributor: Distributor, items: dict[str, str], pg_admin_url: str
) -> None:
    order_id = await distributor.submitted_order(items["plenty"], 2)
    assert await distributor.final_status(order_id) == "CONFIRMED"
    lines = await wait_until(
        lambda: _confirmed_lines(pg_admin_url, order_id), seconds=15, message="holds confirmed"
    )
    assert [(line["item"], line["location"], line["quantity"]) for line in lines] == [
        (items["plenty"], SHIPPING_WAREHOUSE, Decimal(2))
    ]
    assert await invariant_holds(pg_admin_url, [items["plenty"]])


async def test_too_little_stock_ends_partially_confirmed_with_the_backorder_recorded(
    distributor: Distributor, items: dict[str, str], pg_admin_url: str
) -> None:
    scarce_item = items["scarce"]
    order_id = await distributor.submitted_order(scarce_item, 3)
    assert await distributor.final_status(order_id) == "PARTIALLY_CONFIRMED"

    async def backorder() -> Decimal:
        conn = await asyncpg.connect(pg_admin_url)
        try:
            value = await conn.fetchval(
                "SELECT backorder FROM inventory.stock WHERE item = $1 AND location = $2",
                scarce_item,
                SHIPPING_WAREHOUSE,
            )
            return Decimal(value or 0)
        finally:
            await conn.close()

    assert await wait_until(backorder, seconds=15, message="backorder recorded") == 2
    assert await wait_until(
        lambda: invariant_holds(pg_admin_url, [scarce_item]), seconds=15, message="invariant"
    )


async def _confirmed_lines(admin_url: str, order_id: str) -> list[asyncpg.Record]:
    lines = await reservation_lines(admin_url, order_id)
    return lines if lines and all(line["status"] == "CONFIRMED" for line in lines) else []
