"""The inventory service's internal API: foundation data, holds (try), backorders.

`POST /internal/v1/foundation/lookup`, `POST /internal/v1/reservations`, and the Merchandising
`inventoryBackorder/create` with the identity headers the gateway would set (merchandising role).
Unreachable, timed out, 5xx or an unreadable answer: `InventoryUnavailableError`, a
`ConnectionError`, so the Kafka consumers retry (never a DLQ) and HTTP answers 503.
"""

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final

from fulfillment.domain.foundation import Foundation, FoundationQuery, ItemInfo, LocationInfo
from fulfillment.domain.holds import BackorderLine, HoldLine, HoldResult
from shared_contracts.json_number import decimal_to_json_number
from shared_contracts.merchandising import INVENTORY_BACKORDER_CREATE
from shared_http.service_client import ServiceClient, ServiceUnreachableError

LOOKUP: Final = "/internal/v1/foundation/lookup"
RESERVATIONS: Final = "/internal/v1/reservations"
CLIENT_ID: Final = "fulfillment"

log = logging.getLogger(__name__)


class InventoryUnavailableError(ConnectionError):
    """Inventory did not answer usefully; the request may be retried."""


class InventoryRefusedError(Exception):
    """Inventory refused a request it should have accepted (a defect, or rules out of step)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"inventory answered {status}: {body}")
        self.status = status
        self.body = body


def _foundation(body: dict[str, Any]) -> Foundation:
    items = {
        entry["item"]: ItemInfo(
            item=entry["item"],
            item_type=entry["itemType"],
            standard_uom=entry["standardUom"],
            sellable=entry["sellable"],
            customer_orderable=entry["customerOrderable"],
            supported=entry["supportedForCustomerOrders"],
            uoms=frozenset(conversion["uom"] for conversion in entry.get("uomConversions", [])),
        )
        for entry in body["items"]
    }
    locations = {
        entry["location"]: LocationInfo(
            location=entry["location"],
            location_type=entry["locationType"],
            virtual=entry["virtual"],
            stockholding=entry["stockholding"],
            franchise=entry["franchise"],
            customer_order_location=entry["customerOrderLocation"],
            physical_warehouse=entry.get("physicalWarehouse"),
            channel_id=entry.get("channelId"),
            primary_virtual=entry.get("primaryVirtual", False),
        )
        for entry in body["locations"]
    }
    return Foundation(
        items=items,
        locations=locations,
        statuses={(entry["item"], entry["location"]): entry.get("status") for entry in body["itemLocations"]},
        suppliers=frozenset(entry["supplier"] for entry in body["supplierItems"] if entry["supplierExists"]),
        supplied=frozenset(
            (entry["supplier"], entry["item"]) for entry in body["supplierItems"] if entry["supplied"]
        ),
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


class HttpInventory:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def _post(self, path: str, body: Any, headers: dict[str, str]) -> Any:
        try:
            response = await self._client.request("POST", path, json_body=body, headers=headers)
        except ServiceUnreachableError as error:
            raise InventoryUnavailableError(f"inventory unreachable: {error}") from error
        if response.status >= 500:
            raise InventoryUnavailableError(f"inventory answered {response.status}")
        try:
            answer = response.json()
        except ValueError as error:
            raise InventoryUnavailableError("inventory answered no JSON") from error
        if response.status >= 400:
            raise InventoryRefusedError(response.status, answer)
        return answer

    async def look_up(self, query: FoundationQuery, headers: dict[str, str]) -> Foundation:
        body = {
            "items": list(query.items),
            "locations": list(query.locations),
            "itemLocations": [
                {"item": item, "location": location} for item, location in query.item_locations
            ],
            "supplierItems": [
                {"supplier": supplier, "item": item} for supplier, item in query.supplier_items
            ],
            "atVirtualWarehouses": query.at_virtual_warehouses,
        }
        try:
            return _foundation(await self._post(LOOKUP, body, headers))
        except (KeyError, TypeError) as error:
            raise InventoryUnavailableError(f"unreadable foundation answer: {error!r}") from error

    async def hold(
        self,
        customer_order_no: str,
        fulfill_order_no: str,
        lines: Sequence[HoldLine],
        *,
        partial: bool,
        hold_seconds: int,
        headers: dict[str, str],
    ) -> HoldResult:
        body = {
            "customerOrderNo": customer_order_no,
            "fulfillOrderNo": fulfill_order_no,
            "holdSeconds": hold_seconds,
            "mode": "PARTIAL" if partial else "ALL_OR_NOTHING",
            "lines": [
                {
                    "item": line.item,
                    "location": line.location,
                    "quantity": decimal_to_json_number(line.quantity),
                }
                | ({} if line.item_line_no is None else {"itemLineNo": line.item_line_no})
                for line in lines
            ],
        }
        answer = await self._post(RESERVATIONS, body, headers)
        try:
            reserved = {
                (entry["item"], entry.get("itemLineNo")): _decimal(entry["reservedQuantity"])
                for entry in answer["lines"]
            }
            return HoldResult(str(answer["reservationId"]), reserved)
        except (KeyError, TypeError) as error:
            raise InventoryUnavailableError(f"unreadable reservation answer: {error!r}") from error

    async def backorder(self, lines: Sequence[BackorderLine], headers: dict[str, str]) -> None:
        """Increase the backorder quantities (inventory emits BackorderAdjusted)."""
        body = {
            "collectionSize": len(lines),
            "items": [
                {
                    "item": line.item,
                    "locationType": line.location_type,
                    "location": line.location,
                    "backorderQuantity": decimal_to_json_number(line.quantity),
                }
                | ({} if line.channel_id is None else {"channelId": line.channel_id})
                for line in lines
            ],
        }
        identity = {"x-client-id": CLIENT_ID, "x-environment": "production", "x-roles": "merchandising"}
        await self._post(INVENTORY_BACKORDER_CREATE.path, body, headers | identity)
