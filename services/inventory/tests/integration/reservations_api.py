"""Calls of the internal reservations API, as fulfillment makes them."""

from __future__ import annotations

from typing import Any

import httpx

RESERVATIONS = "/internal/v1/reservations"
TRACE = {"x-trace-id": "inventory-tests"}


def reserve_line(item: str, location: int, quantity: float, **extra: Any) -> dict[str, Any]:
    return {"item": item, "location": location, "quantity": quantity, **extra}


class Reservations:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def reserve(
        self, order: str, fulfillment: str, *lines: dict[str, Any], expect: int = 200, **options: Any
    ) -> dict[str, Any]:
        response = await self.client.post(
            RESERVATIONS,
            json={"customerOrderNo": order, "fulfillOrderNo": fulfillment, "lines": list(lines), **options},
            headers=TRACE,
        )
        assert response.status_code == expect, response.text
        found: dict[str, Any] = response.json()
        return found

    async def confirm(self, reservation_id: str, expect: int = 200) -> dict[str, Any]:
        response = await self.client.post(f"{RESERVATIONS}/{reservation_id}/confirm", headers=TRACE)
        assert response.status_code == expect, response.text
        found: dict[str, Any] = response.json()
        return found

    async def release(self, reservation_id: str, expect: int = 200, **body: Any) -> dict[str, Any]:
        response = await self.client.post(
            f"{RESERVATIONS}/{reservation_id}/release", json=body or None, headers=TRACE
        )
        assert response.status_code == expect, response.text
        found: dict[str, Any] = response.json()
        return found

    async def get(self, reservation_id: str) -> dict[str, Any]:
        response = await self.client.get(f"{RESERVATIONS}/{reservation_id}", headers=TRACE)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found
