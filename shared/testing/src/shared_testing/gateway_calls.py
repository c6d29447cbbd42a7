"""Calling the running gateway as a distributor or OMS client, for the end-to-end tests.

`GatewayCaller` sends one credential's requests (fresh `x-trace-id` each, checked to be echoed);
`enriched_order` walks an order through create, installation, shipping and billing.
`check_error` checks an answer against API.md's error body, field by field.
`gateway_clients` runs `python -m gateway clients ...` (the CLI operators use).
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from shared_contracts.distributor import examples, paths


@dataclass(frozen=True)
class Endpoint:
    """One operation of API.md."""

    name: str
    method: str
    path: str
    role: str

    @property
    def has_body(self) -> bool:
        return self.method in ("POST", "PUT")

    def url(self, path_id: str = "unknown-id") -> str:
        """The path with every `{parameter}` filled with `path_id`."""
        return re.sub(r"\{\w+\}", path_id, self.path)


MERCH_BASE = "/MerchIntegrations/services/customerOrders"
DISTRIBUTOR_ENDPOINTS = (
    Endpoint("create-order", "POST", paths.CREATE_ORDER, "distributor"),
    Endpoint("installation", "PUT", paths.INSTALLATION, "distributor"),
    Endpoint("shipping", "POST", paths.SHIPPING, "distributor"),
    Endpoint("billing", "POST", paths.BILLING, "distributor"),
    Endpoint("cdg", "POST", paths.CDG, "distributor"),
    Endpoint("order-summary", "POST", paths.ORDER_SUMMARY, "distributor"),
    Endpoint("submit", "POST", paths.SUBMIT, "distributor"),
    Endpoint("list-orders", "GET", paths.ORDERS, "distributor"),
    Endpoint("get-order", "GET", paths.ORDER, "distributor"),
    Endpoint("appointment-dates", "GET", paths.APPOINTMENT_DATES, "distributor"),
    Endpoint("book-appointment", "POST", paths.APPOINTMENT, "distributor"),
    Endpoint("cancel-appointment", "DELETE", paths.APPOINTMENT_BY_ID, "distributor"),
)
"""API.md's distributor operations, one row each."""
MERCH_ENDPOINTS = (
    Endpoint("available-inventory", "POST", f"{MERCH_BASE}/availableInventory/get", "merchandising"),
    Endpoint("inventory-backorder", "POST", f"{MERCH_BASE}/inventoryBackorder/create", "merchandising"),
    Endpoint("item-substitution", "POST", f"{MERCH_BASE}/itemSubstitution/create", "merchandising"),
    Endpoint("fulfillment-cancel", "PUT", f"{MERCH_BASE}/fulfillmentOrder/cancel", "merchandising"),
    Endpoint("fulfillment-create", "POST", f"{MERCH_BASE}/fulfillmentOrder/create", "merchandising"),
)
"""API.md's Merchandising table, one row each."""
ALL_ENDPOINTS = DISTRIBUTOR_ENDPOINTS + MERCH_ENDPOINTS

ERROR_FIELDS = {"status", "code", "category", "message", "traceId"}
OPTIONAL_ERROR_FIELDS = {"validationErrors", "businessError"}


def new_trace(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


def credential_headers(credential: dict[str, Any], **extra: str) -> dict[str, str]:
    return {"client_id": credential["client_id"], "client_secret": credential["client_secret"], **extra}


def check_error(
    response: httpx.Response, status: int, code: str, category: str, trace_id: str | None
) -> dict[str, Any]:
    """API.md's error body: every field, the category, and the request's `x-trace-id` echoed."""
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert ERROR_FIELDS <= set(body) <= ERROR_FIELDS | OPTIONAL_ERROR_FIELDS, body
    assert (body["status"], body["code"], body["category"]) == ("ERROR", code, category), body
    assert isinstance(body["message"], str), body
    assert body["message"], body
    assert body["traceId"] == trace_id, body
    if trace_id is not None:
        assert response.headers["x-trace-id"] == trace_id
    for entry in body.get("validationErrors", []):
        assert set(entry) == {"error", "field", "inputValue"}, entry
    assert body.get("validationErrors", [None]) != [], "validationErrors appears only with entries"
    assert body.get("businessError", [None]) != [], "businessError appears only with entries"
    return body


@dataclass
class GatewayCaller:
    """One credential calling the gateway; remembers the appointments it booked."""

    http: httpx.AsyncClient
    credential: dict[str, Any]
    source: str = "e2e"
    booked: list[str] = field(default_factory=list)

    async def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = credential_headers(
            self.credential, **{"x-trace-id": new_trace(self.source), "source": self.source}
        )
        sent.update(headers or {})
        response = await self.http.request(method, path, json=body, params=params, headers=sent)
        assert response.headers["x-trace-id"] == sent["x-trace-id"]
        return response

    async def ok(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        status: int = 200,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.call(method, path, body, params=params)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        answer: dict[str, Any] = response.json()
        return answer

    async def create_order(self, site: dict[str, str] | None = None) -> dict[str, Any]:
        body = copy.deepcopy(examples.CREATE_ORDER)
        body["subOrders"][0]["siteAddress"] = dict(site or examples.KNOWN_GOOD_SITE_ADDRESS)
        body["externalOrderId"] = f"PO-{uuid.uuid4().hex[:8]}"
        return await self.ok("POST", paths.CREATE_ORDER, body, status=201)

    async def enrich_installation(
        self, order: dict[str, Any], site: dict[str, str] | None = None
    ) -> tuple[date, date]:
        start = date.today() + timedelta(days=random.randint(7, 60))
        due = start + timedelta(days=13)
        installation = {
            **copy.deepcopy(examples.INSTALLATION),
            **sub_order_target(order),
            "siteAddress": dict(site or examples.KNOWN_GOOD_SITE_ADDRESS),
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": due.isoformat(),
        }
        await self.ok("PUT", paths.INSTALLATION, installation)
        return start, due

    async def enrich_shipping(self, order: dict[str, Any]) -> None:
        await self.ok("POST", paths.SHIPPING, {**copy.deepcopy(examples.SHIPPING), **sub_order_target(order)})

    async def enrich_billing(self, order: dict[str, Any]) -> None:
        await self.ok("POST", paths.BILLING, billing_body(order))

    async def enriched_order(self, site: dict[str, str]) -> tuple[dict[str, Any], date, date]:
        """Created, then installation, shipping and billing enrichment of its one sub-order."""
        order = await self.create_order(site)
        start, due = await self.enrich_installation(order, site)
        await self.enrich_shipping(order)
        await self.enrich_billing(order)
        return order, start, due

    async def dates(self, order_id: str, sub_order_id: str) -> httpx.Response:
        return await self.call(
            "GET", paths.APPOINTMENT_DATES, params={"orderId": order_id, "subOrderId": sub_order_id}
        )

    async def book(self, order_id: str, sub_order_id: str, window: dict[str, Any]) -> dict[str, Any]:
        body = {
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "startDate": window["startDate"],
            "endDate": window["endDate"],
        }
        booked = await self.ok("POST", paths.APPOINTMENT, body, status=201)
        self.booked.append(booked["appointmentId"])
        return booked

    async def book_first_window(self, order: dict[str, Any]) -> dict[str, Any]:
        target = sub_order_target(order)
        offered = await self.dates(target["orderId"], target["subOrderId"])
        assert offered.status_code == 200, offered.text
        return await self.book(target["orderId"], target["subOrderId"], offered.json()["appointmentDates"][0])

    async def cancel_booked(self) -> None:
        """Gives back the demo capacity borrowed (the database is shared with other runs)."""
        for appointment_id in self.booked:
            cancelled = await self.call("DELETE", f"{paths.APPOINTMENT}/{appointment_id}")
            assert cancelled.status_code == 200, cancelled.text
        self.booked.clear()


def sub_order_id_of(order: dict[str, Any]) -> str:
    sub_order_id: str = order["subOrders"][0]["subOrderId"]
    return sub_order_id


def sub_order_target(order: dict[str, Any]) -> dict[str, str]:
    return {"orderId": order["orderId"], "subOrderId": sub_order_id_of(order)}


def billing_body(order: dict[str, Any]) -> dict[str, Any]:
    items = [
        {
            "orderItemId": item["orderItemId"],
            "unitPrice": 12.99,
            "currency": "USD",
            "billingFrequency": "ONE_TIME",
        }
        for item in order["subOrders"][0]["subOrderItems"]
    ]
    return {**copy.deepcopy(examples.BILLING), **sub_order_target(order), "orderedItems": items}


def gateway_clients(database_url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`python -m gateway clients ARGV` against the gateway's database, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", "clients", *argv],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def create_client(
    database_url: str, name: str, *, sp: str | None, environment: str, role: str
) -> dict[str, Any]:
    """A new client through the CLI (`--json`): its summary and `client_secret`."""
    argv = ["create", "--name", name, "--environment", environment, "--role", role, "--json"]
    if sp:
        argv += ["--sp", sp]
    created: dict[str, Any] = json.loads(gateway_clients(database_url, *argv).stdout)
    return created
