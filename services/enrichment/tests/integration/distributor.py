"""A distributor calling the enrichment service the way the gateway forwards it (identity headers)."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from shared_contracts.distributor import examples, paths

KNOWN_GOOD = dict(examples.KNOWN_GOOD_SITE_ADDRESS)
START = (date.today() + timedelta(days=7)).isoformat()
DUE = (date.today() + timedelta(days=14)).isoformat()


def new_trace_id() -> str:
    return f"trace-{uuid.uuid4().hex[:12]}"


@dataclass
class Distributor:
    client: httpx.AsyncClient
    sp_id: str
    environment: str = "sandbox"
    client_id: str = "client-test"

    def headers(self, trace_id: str | None = None, transaction_id: str | None = None) -> dict[str, str]:
        headers = {
            "x-client-id": self.client_id,
            "x-sp-id": self.sp_id,
            "x-environment": self.environment,
            "x-roles": "distributor",
            "x-trace-id": trace_id or new_trace_id(),
            "source": "integration-test",
        }
        if transaction_id:
            headers["x-transaction-id"] = transaction_id
        return headers

    async def call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        trace_id: str | None = None,
        transaction_id: str | None = None,
    ) -> httpx.Response:
        return await self.client.request(
            method, path, json=body, params=params, headers=self.headers(trace_id, transaction_id)
        )

    async def create_order(self, sub_orders: int = 1, **overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(examples.CREATE_ORDER)
        body["subOrders"] = body["subOrders"] * sub_orders
        body.update(overrides)
        response = await self.call("POST", paths.CREATE_ORDER, body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def install(self, order_id: str, sub_order_id: str, **overrides: Any) -> httpx.Response:
        body = {
            **copy.deepcopy(examples.INSTALLATION),
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "customerRequestedStartDate": START,
            "customerRequestedDueDate": DUE,
            **overrides,
        }
        return await self.call("PUT", paths.INSTALLATION, body)

    async def ship(self, order_id: str, sub_order_id: str, **overrides: Any) -> httpx.Response:
        body = {
            **copy.deepcopy(examples.SHIPPING),
            "orderId": order_id,
            "subOrderId": sub_order_id,
            **overrides,
        }
        return await self.call("POST", paths.SHIPPING, body)

    async def bill(self, order: dict[str, Any], sub_order_index: int = 0, **overrides: Any) -> httpx.Response:
        sub_order = order["subOrders"][sub_order_index]
        body = {
            **copy.deepcopy(examples.BILLING),
            "orderId": order["orderId"],
            "subOrderId": sub_order["subOrderId"],
            "orderedItems": [
                {
                    "orderItemId": item["orderItemId"],
                    "unitPrice": 12.99,
                    "currency": "USD",
                    "billingFrequency": "ONE_TIME",
                }
                for item in sub_order["subOrderItems"]
            ],
            **overrides,
        }
        return await self.call("POST", paths.BILLING, body)

    async def enrich_all(self, order: dict[str, Any]) -> None:
        """Installation, shipping and billing of every sub-order (not the appointment)."""
        for index, sub_order in enumerate(order["subOrders"]):
            for response in (
                await self.install(order["orderId"], sub_order["subOrderId"]),
                await self.ship(order["orderId"], sub_order["subOrderId"]),
                await self.bill(order, index),
            ):
                assert response.status_code == 200, response.text

    async def summary(self, **selector: str) -> httpx.Response:
        return await self.call("POST", paths.ORDER_SUMMARY, selector)

    async def submit(self, trace_id: str | None = None, **selector: str) -> httpx.Response:
        return await self.call("POST", paths.SUBMIT, selector, trace_id=trace_id)

    async def group(
        self, order_ids: list[str], cdg_id: str | None = None, name: str = "Rollout"
    ) -> httpx.Response:
        body: dict[str, Any] = {"orderIds": order_ids}
        body |= {"cdgId": cdg_id} if cdg_id else {"cdgName": name}
        return await self.call("POST", paths.CDG, body)


def steps_of(summary: dict[str, Any], order_index: int = 0, sub_order_index: int = 0) -> dict[str, str]:
    sub_order = summary["orders"][order_index]["subOrders"][sub_order_index]
    return {step["step"]: step["status"] for step in sub_order["steps"]}


def error_of(response: httpx.Response) -> tuple[int, str, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["category"], body["message"]
