"""401 for missing, wrong, unknown or disabled credentials; 403 outside the role; rotation."""

import uuid

import pytest

from gateway.domain.clients import Role

ORDER = "/api/v1/order-summary"
MERCH = "/MerchIntegrations/services/customerOrders/fulfillmentOrder/cancel"
BODY = {"orderId": "O-1"}


def trace() -> dict[str, str]:
    return {"x-trace-id": uuid.uuid4().hex}


def assert_unauthorized(response, secret: str | None = None) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401
    body = response.json()
    assert (body["code"], body["category"], body["status"]) == ("UNAUTHORIZED", "AUTHORIZATION", "ERROR")
    assert body["traceId"] == response.request.headers["x-trace-id"]
    if secret:
        assert secret not in response.text


async def test_valid_credentials_reach_the_owning_service(gateway, enrichment) -> None:
    credential = await gateway.credential()
    response = await gateway.http.post(ORDER, json=BODY, headers=credential.headers())
    assert response.status_code == 200
    assert len(enrichment.calls) == 1


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "both"])
async def test_missing_credentials_are_401(gateway, enrichment, missing: str) -> None:
    credential = await gateway.credential()
    headers = credential.headers()
    for name in ("client_id", "client_secret") if missing == "both" else (missing,):
        del headers[name]
    assert_unauthorized(await gateway.http.post(ORDER, json=BODY, headers=headers))
    assert enrichment.calls == []


async def test_a_wrong_secret_or_unknown_client_is_401(gateway, enrichment) -> None:
    credential = await gateway.credential()
    wrong = credential.headers(client_secret=credential.secret[:-1] + "x")
    assert_unauthorized(await gateway.http.post(ORDER, json=BODY, headers=wrong), credential.secret)
    unknown = credential.headers(client_id=uuid.uuid4().hex)
    assert_unauthorized(await gateway.http.post(ORDER, json=BODY, headers=unknown), credential.secret)
    assert enrichment.calls == []


async def test_a_disabled_client_is_401(gateway, enrichment) -> None:
    credential = await gateway.credential()
    assert (await gateway.http.post(ORDER, json=BODY, headers=credential.headers())).status_code == 200
    await gateway.admin.disable(credential.client_id)
    # Disabling takes effect when the cached entry expires (AUTH_CACHE_TTL_SECONDS); expire it now.
    gateway.edge.authenticator.forget(credential.client_id)
    assert_unauthorized(await gateway.http.post(ORDER, json=BODY, headers=credential.headers()))
    assert len(enrichment.calls) == 1


async def test_a_rotated_secret_works_at_once_and_the_old_one_stops(gateway) -> None:
    credential = await gateway.credential()
    assert (await gateway.http.post(ORDER, json=BODY, headers=credential.headers())).status_code == 200
    rotated = await gateway.admin.rotate(credential.client_id)
    new_headers = credential.headers(client_secret=rotated.secret)
    assert (await gateway.http.post(ORDER, json=BODY, headers=new_headers)).status_code == 200
    gateway.edge.authenticator.forget(credential.client_id)
    assert_unauthorized(await gateway.http.post(ORDER, json=BODY, headers=credential.headers()))


async def test_a_merchandising_client_may_not_call_the_distributor_api(gateway, enrichment) -> None:
    oms = await gateway.credential(Role.MERCHANDISING)
    response = await gateway.http.post(ORDER, json=BODY, headers=oms.headers())
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["category"]) == ("FORBIDDEN", "AUTHORIZATION")
    assert enrichment.calls == []


async def test_a_distributor_may_not_call_the_merchandising_api(gateway) -> None:
    distributor = await gateway.credential()
    body = {"items": []}
    response = await gateway.http.put(MERCH, json=body, headers=distributor.headers())
    assert response.status_code == 403
    assert response.json()["category"] == "AUTHORIZATION"


async def test_credentials_are_checked_before_the_body(gateway) -> None:
    response = await gateway.http.post(ORDER, json={"unknown": 1}, headers=trace())
    assert_unauthorized(response)
