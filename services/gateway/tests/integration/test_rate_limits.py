"""429 with Retry-After: per client, and per presented client_id for failed logins (brute force)."""

from gateway.domain.clients import Role

SUMMARY = "/api/v1/order-summary"
BODY = {"orderId": "O-1"}


async def test_a_client_over_its_rate_gets_429_with_retry_after(limited_gateway) -> None:
    credential = await limited_gateway.credential()
    statuses = [
        (await limited_gateway.http.post(SUMMARY, json=BODY, headers=credential.headers())).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = await limited_gateway.http.post(SUMMARY, json=BODY, headers=credential.headers())
    assert response.status_code == 429
    assert (response.json()["code"], response.json()["category"]) == ("RATE_LIMITED", "RATE_LIMITED")
    assert int(response.headers["retry-after"]) >= 1
    other = await limited_gateway.credential()
    assert (await limited_gateway.http.post(SUMMARY, json=BODY, headers=other.headers())).status_code == 200


async def test_guessing_secrets_hits_the_limit_even_with_the_right_one_afterwards(limited_gateway) -> None:
    credential = await limited_gateway.credential(Role.DISTRIBUTOR)
    wrong = credential.headers(client_secret="guess")
    statuses = [
        (await limited_gateway.http.post(SUMMARY, json=BODY, headers=wrong)).status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    right = await limited_gateway.http.post(SUMMARY, json=BODY, headers=credential.headers())
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) >= 1
    assert credential.secret not in right.text
