"""A distributor calling the gateway of a running platform, and the inventory items of a test.

Used by the end-to-end tests that need a submitted order: create, installation, shipping,
billing, appointment dates, booking, submit; then the order's final status.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from shared_contracts.distributor import examples, paths
from shared_messaging.testing import wait_until
from shared_testing.gateway_calls import billing_body

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


def load_test_items(database_url: str, work_dir: Path, stock: dict[str, int]) -> dict[str, str]:
    """The demo set (warehouse 10 and its virtual warehouses) and items of this test's own at the
    shipping virtual warehouse, `name -> units`; returns `name -> item number`. The demo items'
    stock is shared with every other run, so assertions use these."""
    inventory_command(database_url, "data", "demo")
    tag = uuid.uuid4().hex[:12]
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
    path = work_dir / "items.json"
    path.write_text(json.dumps(data))
    inventory_command(database_url, "data", "load", str(path))
    return {name: f"E{tag}{name}" for name in stock}


class Distributor:
    def __init__(self, http: httpx.AsyncClient, credential: dict[str, Any], trace_prefix: str) -> None:
        self.http = http
        self.credential = credential
        self.trace_prefix = trace_prefix
        self.booked: list[str] = []

    async def call(self, method: str, path: str, body: Any = None, params: Any = None) -> httpx.Response:
        headers = {
            "client_id": self.credential["client_id"],
            "client_secret": self.credential["client_secret"],
            "x-trace-id": f"{self.trace_prefix}-{uuid.uuid4().hex}",
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
        await self.ok("POST", paths.BILLING, billing_body(order))
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

    async def cancel_booked(self) -> None:
        """Give back the demo capacity the test borrowed (the database is shared with other runs)."""
        for appointment_id in self.booked:
            await self.call("DELETE", f"/api/v1/service-appointment/{appointment_id}")
        self.booked.clear()
