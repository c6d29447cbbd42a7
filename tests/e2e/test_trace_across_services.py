"""One x-trace-id follows a request (installation enrichment) from the gateway over HTTP and Kafka
into another service (appointment consumes its OrderEnriched)."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from shared_contracts.distributor import examples, paths
from shared_messaging.testing import wait_until
from shared_observability.propagation import trace_id_hex_for
from shared_testing.platform import Platform

ORDER = {
    "quoteId": "Q-100234",
    "customer": {"name": "Acme Dental", "accountNumber": "A-1001"},
    "contacts": {
        "primary": {
            "firstName": "Ana",
            "lastName": "Diaz",
            "email": "ana@acme.example",
            "phone": "2145550100",
        }
    },
    "subOrders": [
        {
            "siteAddress": {
                "street": "2270 LAKESIDE BLVD",
                "city": "RICHARDSON",
                "state": "TX",
                "postalCode": "75082",
            },
            "items": [{"item": "100100068", "quantity": 2, "orderItemType": "EQUIPMENT"}],
        }
    ],
}


INSTALLATION = examples.INSTALLATION | {
    "siteAddress": ORDER["subOrders"][0]["siteAddress"],
    "customerRequestedStartDate": (date.today() + timedelta(days=14)).isoformat(),
    "customerRequestedDueDate": (date.today() + timedelta(days=21)).isoformat(),
}


async def test_a_gateway_request_is_one_trace_down_to_another_services_consumer(
    platform: Platform, demo_clients: dict[str, Any]
) -> None:
    client = demo_clients["sandbox-sp"]
    credentials = {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    x_trace_id = f"journey-{uuid.uuid4()}"  # not hex: exercises the deterministic mapping
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=10) as http:
        created = await http.post(
            "/api/v1/order", json=ORDER, headers=credentials | {"x-trace-id": f"create-{uuid.uuid4()}"}
        )
        assert created.status_code == 201, created.text
        order = created.json()
        # Installation enrichment: its OrderEnriched is what appointment consumes.
        response = await http.put(
            paths.INSTALLATION,
            json=INSTALLATION
            | {"orderId": order["orderId"], "subOrderId": order["subOrders"][0]["subOrderId"]},
            headers=credentials | {"x-trace-id": x_trace_id},
        )
    assert response.status_code == 200, response.text
    assert response.headers["x-trace-id"] == x_trace_id
    trace_id = trace_id_hex_for(x_trace_id)

    expected = {
        ("gateway", "SERVER"),
        ("gateway", "CLIENT"),
        ("enrichment", "SERVER"),
        ("appointment", "CONSUMER"),
    }

    def whole_journey() -> list[dict[str, Any]]:
        # Each process flushes its spans on its own schedule: wait until every hop has reported.
        spans = [s for s in platform.spans() if s["trace_id"] == trace_id]
        return spans if expected <= {(s["service"], s["kind"]) for s in spans} else []

    spans = await wait_until(whole_journey, seconds=30, message="spans of every hop in one trace")

    assert all(span["attributes"].get("x_trace_id") == x_trace_id for span in spans), [
        (s["service"], s["name"], s["attributes"].get("x_trace_id")) for s in spans
    ]
