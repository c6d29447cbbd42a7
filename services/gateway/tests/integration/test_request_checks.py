"""Requests refused at the edge: 400 (with field paths), 413, 415, 404; the owner is never called."""

import uuid

from gateway.domain.clients import Role
from shared_contracts.distributor import examples
from shared_contracts.merchandising import read_spec_sample

SHIPPING = "/api/v1/order-enrichment/shipping"
MERCH_CREATE = "/MerchIntegrations/services/customerOrders/fulfillmentOrder/create"


async def test_zipcode_is_refused_with_a_hint_naming_zip(gateway, enrichment) -> None:
    credential = await gateway.credential()
    body = {
        **examples.SHIPPING,
        "shippingAddress": {"street": "s", "city": "c", "state": "TX", "zipcode": "1"},
    }
    response = await gateway.http.post(SHIPPING, json=body, headers=credential.headers())
    assert response.status_code == 400
    document = response.json()
    assert (document["code"], document["category"]) == ("VALIDATION_FAILED", "VALIDATION")
    assert document["validationErrors"] == [
        {
            "error": "unknown field; this endpoint expects 'zip'",
            "field": "shippingAddress.zipcode",
            "inputValue": "1",
        }
    ]
    assert enrichment.calls == []


async def test_read_only_fields_in_a_body_are_refused(gateway, enrichment) -> None:
    credential = await gateway.credential()
    body = {**examples.CREATE_ORDER, "orderId": "mine", "orderStatus": "SUBMITTED", "spId": "other"}
    response = await gateway.http.post("/api/v1/order", json=body, headers=credential.headers())
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["validationErrors"]} == {"orderId", "orderStatus", "spId"}
    assert enrichment.calls == []


async def test_merchandising_validation_uses_the_specification_message(gateway) -> None:
    oms = await gateway.credential(Role.MERCHANDISING)
    response = await gateway.http.post(MERCH_CREATE, json={"items": [{"unknown": 1}]}, headers=oms.headers())
    assert response.status_code == 400
    assert response.json()["message"] == "Error found in validation of input payload"
    assert response.json()["validationErrors"]


async def test_a_merchandising_sample_is_valid_and_reaches_the_owner_check(gateway) -> None:
    oms = await gateway.credential(Role.MERCHANDISING)
    response = await gateway.http.post(
        MERCH_CREATE,
        content=read_spec_sample("fulfillment_order_create_request"),
        headers=oms.headers(**{"content-type": "application/json"}),
    )
    assert response.status_code == 503  # valid; fulfillment is not reachable in these tests


async def test_a_body_that_is_not_json_is_415(gateway, enrichment) -> None:
    credential = await gateway.credential()
    headers = credential.headers(**{"content-type": "text/plain"})
    response = await gateway.http.post(SHIPPING, content=b"zip=1", headers=headers)
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert enrichment.calls == []


async def test_oversized_bodies_are_413(gateway, enrichment) -> None:
    credential = await gateway.credential()
    over_gateway_limit = {**examples.SHIPPING, "shippingNotes": "x" * 300_000}
    response = await gateway.http.post(SHIPPING, json=over_gateway_limit, headers=credential.headers())
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    over_shared_limit = {**examples.SHIPPING, "shippingNotes": "x" * 1_100_000}
    response = await gateway.http.post(SHIPPING, json=over_shared_limit, headers=credential.headers())
    assert response.status_code == 413
    assert enrichment.calls == []


async def test_long_arrays_are_refused(gateway) -> None:
    credential = await gateway.credential()
    body = {**examples.CDG, "orderIds": [f"O-{i}" for i in range(501)]}
    response = await gateway.http.post(
        "/api/v1/order-enrichment/cdg", json=body, headers=credential.headers()
    )
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "orderIds"


async def test_a_missing_trace_id_is_400(gateway) -> None:
    credential = await gateway.credential()
    headers = credential.headers()
    del headers["x-trace-id"]
    response = await gateway.http.post(SHIPPING, json=examples.SHIPPING, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "MISSING_TRACE_ID"


async def test_query_and_path_parameters_are_checked(gateway, enrichment) -> None:
    credential = await gateway.credential()
    bad_query = await gateway.http.get("/api/v1/orders?limit=1000&sort=asc", headers=credential.headers())
    assert bad_query.status_code == 400
    assert {e["field"] for e in bad_query.json()["validationErrors"]} == {"limit", "sort"}
    bad_id = await gateway.http.get("/api/v1/order/a%20b", headers=credential.headers())
    assert bad_id.status_code == 400
    assert bad_id.json()["validationErrors"][0]["field"] == "orderId"
    missing = await gateway.http.get(
        "/api/v1/service-appointment/dates?orderId=O-1", headers=credential.headers()
    )
    assert missing.status_code == 400
    assert enrichment.calls == []


async def test_a_malformed_transaction_id_is_400(gateway) -> None:
    credential = await gateway.credential()
    headers = credential.headers(**{"x-transaction-id": "x" * 300})
    response = await gateway.http.post("/api/v1/order-summary", json={"orderId": "O-1"}, headers=headers)
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "x-transaction-id"


async def test_the_retired_submit_path_is_404_naming_the_new_one(gateway) -> None:
    response = await gateway.http.post(
        "/api/v1/submit", json={"orderId": "O-1"}, headers={"x-trace-id": uuid.uuid4().hex}
    )
    assert response.status_code == 404
    assert response.json()["category"] == "NOT_FOUND"
    assert "POST /api/v1/order/submit" in response.json()["message"]


async def test_unknown_paths_and_methods_answer_the_standard_body(gateway) -> None:
    trace = {"x-trace-id": uuid.uuid4().hex}
    assert (await gateway.http.get("/api/v2/order", headers=trace)).json()["category"] == "NOT_FOUND"
    wrong_method = await gateway.http.get("/api/v1/order-summary", headers=trace)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["status"] == "ERROR"
