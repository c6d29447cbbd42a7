"""Forwarding: same path, query and body; identity from the credential only; failures become 503."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest_asyncio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.domain.clients import Role
from gateway.domain.routing import Upstream
from shared_contracts.distributor import examples
from shared_contracts.merchandising import read_spec_sample

from .conftest import Harness, gateway_settings, running_gateway

SUMMARY = "/api/v1/order-summary"
MERCH = "/MerchIntegrations/services/customerOrders"


async def test_path_query_and_body_bytes_arrive_unchanged(gateway, enrichment, appointment) -> None:
    credential = await gateway.credential()
    raw = b'{"quoteId":"Q-1",  "customer": {"name": "Zo\\u00eb"}, "contacts": {"primary": {"firstName": "A", '
    raw += b'"lastName": "B"}}, "subOrders": [{"siteAddress": {"street": "s", "city": "c", "state": "TX", '
    raw += b'"postalCode": "75082"}, "items": [{"item": "100100068", "quantity": 2}]}]}'
    headers = credential.headers(**{"content-type": "application/json"})
    created = await gateway.http.post("/api/v1/order", content=raw, headers=headers)
    assert created.status_code == 201
    listed = await gateway.http.get("/api/v1/orders?status=DRAFT&limit=5", headers=credential.headers())
    assert listed.status_code == 200
    dates = "/api/v1/service-appointment/dates?orderId=O-1&subOrderId=S-1"
    assert (await gateway.http.get(dates, headers=credential.headers())).status_code == 200
    assert [(c.method, c.path, c.query, c.body) for c in enrichment.calls] == [
        ("POST", "/api/v1/order", "", raw),
        ("GET", "/api/v1/orders", "status=DRAFT&limit=5", b""),
    ]
    assert [(c.path, c.query) for c in appointment.calls] == [
        ("/api/v1/service-appointment/dates", "orderId=O-1&subOrderId=S-1")
    ]


async def test_identity_headers_come_from_the_credential_and_spoofed_ones_are_replaced(
    gateway, enrichment
) -> None:
    credential = await gateway.credential(environment="production")
    spoofed = {
        "x-sp-id": "someone-else",
        "x-client-id": "admin",
        "x-roles": "merchandising,admin",
        "x-environment": "sandbox",
        "x-internal-token": "t",
        "source": "erp-7",
        "x-transaction-id": f"tx-{uuid.uuid4()}",
    }
    headers = credential.headers(**spoofed)
    assert (await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=headers)).status_code == 200
    [call] = enrichment.calls
    assert call.headers["x-sp-id"] == credential.sp_id
    assert call.headers["x-client-id"] == credential.client_id
    assert call.headers["x-roles"] == "distributor"
    assert call.headers["x-environment"] == "production"
    assert call.headers["x-trace-id"] == headers["x-trace-id"]
    assert call.headers["x-transaction-id"] == spoofed["x-transaction-id"]
    assert call.headers["source"] == "erp-7"
    for dropped in ("client_id", "client_secret", "x-internal-token"):
        assert dropped not in call.headers
    assert credential.secret not in json.dumps(call.headers)


async def test_w3c_trace_context_carries_the_x_trace_id(gateway, enrichment) -> None:
    credential = await gateway.credential()
    headers = credential.headers()
    await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=headers)
    [call] = enrichment.calls
    assert call.headers["traceparent"].split("-")[1] == headers["x-trace-id"]


async def test_an_oms_call_goes_to_its_owner_without_an_sp(gateway) -> None:
    oms = await gateway.credential(Role.MERCHANDISING, environment="production")
    body = read_spec_sample("fulfillment_order_cancel_request")
    # fulfillment is configured at a port where nothing listens: 503, quickly
    started = time.monotonic()
    response = await gateway.http.put(
        f"{MERCH}/fulfillmentOrder/cancel",
        content=body,
        headers=oms.headers(**{"content-type": "application/json"}),
    )
    assert response.status_code == 503
    assert (response.json()["code"], response.json()["category"]) == ("UNAVAILABLE", "UNAVAILABLE")
    assert time.monotonic() - started < 5


async def test_a_disabled_upstream_answers_503_with_the_standard_body(gateway) -> None:
    oms = await gateway.credential(Role.MERCHANDISING)
    response = await gateway.http.post(
        f"{MERCH}/availableInventory/get",
        content=read_spec_sample("available_inventory_get_request"),
        headers=oms.headers(**{"content-type": "application/json"}),
    )
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["code"], body["category"]) == ("ERROR", "UNAVAILABLE", "UNAVAILABLE")
    assert "inventory" in body["message"]
    assert body["traceId"] == response.request.headers["x-trace-id"]


async def test_a_platform_error_of_the_owner_is_passed_through_unchanged(gateway, enrichment) -> None:
    enrichment.answer_error(
        "/api/v1/order/submit", 409, "STEP_INCOMPLETE", "BUSINESS", "Previous Step (Billing) is not complete."
    )
    credential = await gateway.credential()
    headers = credential.headers()
    response = await gateway.http.post("/api/v1/order/submit", json={"orderId": "O-1"}, headers=headers)
    assert response.status_code == 409
    assert response.json() == {
        "status": "ERROR",
        "code": "STEP_INCOMPLETE",
        "category": "BUSINESS",
        "message": "Previous Step (Billing) is not complete.",
        "traceId": headers["x-trace-id"],
    }


async def test_a_raw_5xx_becomes_503_unavailable(gateway, enrichment) -> None:
    enrichment.answer_plain(SUMMARY, 500, "Traceback (most recent call last): secret internals")
    credential = await gateway.credential()
    response = await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=credential.headers())
    assert response.status_code == 503
    assert response.json()["category"] == "UNAVAILABLE"
    assert "internals" not in response.text
    assert response.headers["retry-after"] == "1"


async def test_an_upstream_that_never_answers_is_cut_off(gateway, enrichment) -> None:
    enrichment.hold(SUMMARY, asyncio.Event())
    credential = await gateway.credential()
    started = time.monotonic()
    response = await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=credential.headers())
    assert response.status_code == 503
    assert time.monotonic() - started < 5  # deadline: 1 s + 0.5 s connect in these settings


async def test_internal_response_headers_do_not_leak(gateway, enrichment) -> None:
    credential = await gateway.credential()
    response = await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=credential.headers())
    assert "x-internal" not in response.headers
    assert response.headers["content-type"] == "application/json"


async def test_every_sample_body_of_api_md_is_accepted_and_forwarded(
    gateway, enrichment, appointment
) -> None:
    credential = await gateway.credential()
    sent = [
        ("POST", "/api/v1/order", examples.CREATE_ORDER),
        ("PUT", "/api/v1/order-enrichment/installation", examples.INSTALLATION),
        ("POST", "/api/v1/order-enrichment/shipping", examples.SHIPPING),
        ("POST", "/api/v1/order-enrichment/billing", examples.BILLING),
        ("POST", "/api/v1/order-enrichment/cdg", examples.CDG),
        ("POST", "/api/v1/order-summary", examples.SUMMARY_BY_CDG),
        ("POST", "/api/v1/order/submit", examples.SUBMIT_ORDER),
        ("POST", "/api/v1/service-appointment", examples.BOOK_APPOINTMENT),
    ]
    for method, path, body in sent:
        response = await gateway.http.request(method, path, json=body, headers=credential.headers())
        assert response.status_code in (200, 201), (path, response.text)
    deleted = await gateway.http.delete("/api/v1/service-appointment/A-1", headers=credential.headers())
    assert deleted.status_code == 200
    assert len(enrichment.calls) == 7
    assert [c.method for c in appointment.calls] == ["POST", "DELETE"]


async def test_non_ascii_header_values_are_forwarded_not_a_500(gateway, enrichment) -> None:
    credential = await gateway.credential()
    headers = {name: value.encode() for name, value in credential.headers().items()}
    headers["source"] = "système-ü".encode("latin-1")
    headers["x-trace-id"] = "trace-é".encode("latin-1")
    response = await gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=headers)
    assert response.status_code == 200
    [call] = enrichment.calls
    assert call.headers["source"] == "système-ü"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def narrow_gateway(service_db_urls: dict[str, str], kafka_bootstrap: str) -> AsyncIterator[Harness]:
    """A second gateway that lets 2 calls per owning service be under way at once."""
    settings = gateway_settings(service_db_urls, kafka_bootstrap, upstream_max_in_flight=2)
    async with running_gateway(settings) as running:
        yield running


async def test_a_call_over_the_in_flight_cap_answers_503_at_once_with_the_standard_body(
    narrow_gateway: Harness,
) -> None:
    enrichment = narrow_gateway.fakes[Upstream.ENRICHMENT]
    enrichment.reset()
    gate, two_arrived = asyncio.Event(), asyncio.Event()

    async def held(request: Request) -> Response:
        if len(enrichment.calls) == 2:
            two_arrived.set()
        await gate.wait()
        return JSONResponse({"status": "SUCCESS"})

    enrichment.behaviours[SUMMARY] = held
    credential = await narrow_gateway.credential()

    def summary() -> Awaitable[httpx.Response]:
        return narrow_gateway.http.post(SUMMARY, json={"orderId": "O-1"}, headers=credential.headers())

    under_way = [asyncio.ensure_future(summary()) for _ in range(2)]
    await asyncio.wait_for(two_arrived.wait(), 5)
    started = time.monotonic()
    refused = await summary()
    assert time.monotonic() - started < 1  # answered at once, not after the 1.5 s deadline
    assert refused.status_code == 503
    body = refused.json()
    assert (body["status"], body["code"], body["category"]) == ("ERROR", "UNAVAILABLE", "UNAVAILABLE")
    assert body["message"] == "The enrichment service is at capacity; retry later"
    assert refused.headers["retry-after"] == "1"
    assert len(enrichment.calls) == 2  # the refused call never reached the service

    gate.set()
    assert [response.status_code for response in await asyncio.gather(*under_way)] == [200, 200]
    assert (await summary()).status_code == 200  # the capacity is back once the calls are done
