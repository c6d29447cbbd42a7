"""Test data with numbers nobody else uses, loaded through the service's own loader, and calls of
the Merchandising paths with the identity headers the gateway adds."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from inventory.adapters.stock import Buckets, buckets
from inventory.domain.records import kind_named, typed_records
from inventory.service_layer.data_loading import load_rows
from shared_contracts.merchandising import MERCH_BASE_PATH

IDENTITY = {"x-client-id": "oms-tests", "x-environment": "production", "x-roles": "merchandising"}


def trace_id() -> str:
    return uuid.uuid4().hex


class World:
    """`world.item("drill")` and `world.location("store")` are unique per test; `load()` takes
    records in the loader's camelCase shape with those numbers."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.tag = uuid.uuid4().hex[:10]
        self._locations: dict[str, int] = {}

    def item(self, name: str) -> str:
        return f"T{self.tag}{name}"[:25]

    def location(self, name: str) -> int:
        if name not in self._locations:
            self._locations[name] = 1_000_000_000 + uuid.uuid4().int % 8_999_999_999
        return self._locations[name]

    def order(self, name: str) -> str:
        return f"CO-{self.tag}-{name}"

    async def load(self, **kinds: list[dict[str, Any]]) -> None:
        rows = {
            name: list(typed_records(kind_named(name), records, "test")) for name, records in kinds.items()
        }
        await load_rows(self.pool, rows)

    async def buckets(self, item: str, location: int) -> Buckets:
        found = await buckets(self.pool, item, location)
        assert found is not None, f"{item} is not ranged at {location}"
        return found

    async def stores(self, *names: str, **flags: Any) -> list[int]:
        """Stockholding customer-order stores (unless `flags` say otherwise)."""
        records = [
            {"location": self.location(name), "locationType": "S", "customerOrderLocation": True, **flags}
            for name in names
        ]
        await self.load(locations=records)
        return [record["location"] for record in records]

    async def items(self, *names: str, **fields: Any) -> list[str]:
        records = [{"item": self.item(name), **fields} for name in names]
        await self.load(items=records)
        return [record["item"] for record in records]

    async def warehouse(self, name: str, orderable_channels: dict[int, bool]) -> tuple[int, dict[int, int]]:
        """A physical warehouse and a virtual one per channel (customer orderable or not); the first
        is primary. Returns the physical number and channel -> virtual number."""
        physical = self.location(name)
        virtual = {channel: self.location(f"{name}-{channel}") for channel in orderable_channels}
        records: list[dict[str, Any]] = [{"location": physical, "locationType": "W"}]
        for position, (channel, orderable) in enumerate(orderable_channels.items()):
            records.append(
                {
                    "location": virtual[channel],
                    "locationType": "W",
                    "virtual": True,
                    "physicalWarehouse": physical,
                    "channelId": channel,
                    "customerOrderLocation": orderable,
                    "primaryVirtual": position == 0,
                }
            )
        await self.load(locations=records)
        return physical, virtual

    async def stock(self, item: str, location: int, on_hand: int | Decimal, **buckets: Any) -> None:
        await self.load(stock=[{"item": item, "location": location, "stockOnHand": on_hand, **buckets}])


class Merchandising:
    """The Merchandising paths, called as the gateway forwards them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self,
        operation: str,
        body: Any,
        *,
        transaction_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {**IDENTITY, "x-trace-id": trace_id(), "content-type": "application/json"}
        if transaction_id is not None:
            sent["x-transaction-id"] = transaction_id
        sent.update(headers or {})
        content = body if isinstance(body, str | bytes) else None
        return await self.client.post(
            f"{MERCH_BASE_PATH}/{operation}",
            content=content,
            json=None if content is not None else body,
            headers=sent,
        )

    async def availability(self, items: list[str], locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = await self.post(
            "availableInventory/get", {"items": items, "inventoryLocations": locations}
        )
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["items"]
        return found
