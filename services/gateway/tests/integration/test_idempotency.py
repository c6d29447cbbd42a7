"""x-transaction-id: replay with `idempotent-replay: true`, 409 on another body, exactly one upstream call."""

import asyncio
import json
import uuid

from gateway.adapters.idempotency_repository import IdempotencyRepository
from gateway.domain.fingerprint import request_fingerprint
from shared_contracts.distributor import examples

ORDER = "/api/v1/order"


def key() -> str:
    return f"tx-{uuid.uuid4()}"


async def test_the_same_key_and_body_replays_the_stored_response(gateway, enrichment) -> None:
    credential = await gateway.credential()
    transaction = key()
    first = await gateway.http.post(
        ORDER, json=examples.CREATE_ORDER, headers=credential.headers(**{"x-transaction-id": transaction})
    )
    again = await gateway.http.post(
        ORDER, json=examples.CREATE_ORDER, headers=credential.headers(**{"x-transaction-id": transaction})
    )
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replay"] == "true"
    assert "idempotent-replay" not in first.headers
    assert again.headers["content-type"] == "application/json"
    assert len(enrichment.calls) == 1


async def test_key_order_and_spacing_of_the_body_do_not_matter(gateway, enrichment) -> None:
    credential = await gateway.credential()
    headers = credential.headers(**{"x-transaction-id": key(), "content-type": "application/json"})
    await gateway.http.post(ORDER, content=json.dumps(examples.CREATE_ORDER), headers=headers)
    reordered = json.dumps(examples.CREATE_ORDER, sort_keys=True, indent=3)
    again = await gateway.http.post(ORDER, content=reordered, headers=headers)
    assert again.headers["idempotent-replay"] == "true"
    assert len(enrichment.calls) == 1


async def test_the_same_key_with_another_body_is_409(gateway, enrichment) -> None:
    credential = await gateway.credential()
    transaction = key()
    headers = credential.headers(**{"x-transaction-id": transaction})
    await gateway.http.post(ORDER, json=examples.CREATE_ORDER, headers=headers)
    other = {**examples.CREATE_ORDER, "quoteId": "Q-OTHER"}
    response = await gateway.http.post(ORDER, json=other, headers=headers)
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["category"]) == ("IDEMPOTENCY_CONFLICT", "BUSINESS")
    assert len(enrichment.calls) == 1


async def test_keys_belong_to_one_client(gateway, enrichment) -> None:
    transaction = key()
    for _ in range(2):
        credential = await gateway.credential()
        response = await gateway.http.post(
            ORDER, json=examples.CREATE_ORDER, headers=credential.headers(**{"x-transaction-id": transaction})
        )
        assert "idempotent-replay" not in response.headers
    assert len(enrichment.calls) == 2


async def test_stored_business_errors_replay_too(gateway, enrichment) -> None:
    enrichment.answer_error("/api/v1/order/submit", 409, "STEP_INCOMPLETE", "BUSINESS", "Previous Step ...")
    credential = await gateway.credential()
    headers = credential.headers(**{"x-transaction-id": key()})
    first = await gateway.http.post("/api/v1/order/submit", json={"orderId": "O-1"}, headers=headers)
    again = await gateway.http.post("/api/v1/order/submit", json={"orderId": "O-1"}, headers=headers)
    assert first.status_code == again.status_code == 409
    assert again.headers["idempotent-replay"] == "true"
    assert len(enrichment.calls) == 1


async def test_fifty_concurrent_duplicates_reach_the_owner_exactly_once(gateway, enrichment) -> None:
    gate = asyncio.Event()
    enrichment.hold(ORDER, gate)
    credential = await gateway.credential()
    transaction = key()

    async def send():  # type: ignore[no-untyped-def]
        headers = credential.headers(**{"x-transaction-id": transaction})
        return await gateway.http.post(ORDER, json=examples.CREATE_ORDER, headers=headers)

    requests = [asyncio.create_task(send()) for _ in range(50)]
    await asyncio.wait_for(enrichment.arrived.wait(), 10)
    await asyncio.sleep(0.1)  # let the duplicates pile up behind the first
    gate.set()
    responses = await asyncio.wait_for(asyncio.gather(*requests), 30)
    assert len(enrichment.calls) == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replay") == "true" for r in responses) == 49


async def test_a_failed_first_attempt_releases_the_key_for_a_retry(gateway, enrichment) -> None:
    enrichment.answer_plain(ORDER, 502, "bad gateway")
    credential = await gateway.credential()
    headers = credential.headers(**{"x-transaction-id": key()})
    failed = await gateway.http.post(ORDER, json=examples.CREATE_ORDER, headers=headers)
    assert failed.status_code == 503
    enrichment.behaviours.clear()
    retried = await gateway.http.post(ORDER, json=examples.CREATE_ORDER, headers=headers)
    assert retried.status_code == 201
    assert "idempotent-replay" not in retried.headers
    assert len(enrichment.calls) == 2


async def test_reads_are_not_idempotent_requests(gateway, enrichment) -> None:
    credential = await gateway.credential()
    headers = credential.headers(**{"x-transaction-id": key()})
    for _ in range(2):
        response = await gateway.http.get("/api/v1/orders", headers=headers)
        assert "idempotent-replay" not in response.headers
    assert len(enrichment.calls) == 2


async def test_a_lookup_sent_as_post_is_answered_afresh_and_leaves_no_record(gateway, enrichment) -> None:
    """Order summary changes nothing: its key is forwarded, not recorded, and never 409s."""
    credential = await gateway.credential()
    transaction = key()
    headers = credential.headers(**{"x-transaction-id": transaction})
    answers = [
        await gateway.http.post("/api/v1/order-summary", json={"orderId": order}, headers=headers)
        for order in ("O-1", "O-1", "O-2")
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert all("idempotent-replay" not in answer.headers for answer in answers)
    assert len({answer.json()["id"] for answer in answers}) == 3
    assert [call.headers["x-transaction-id"] for call in enrichment.calls] == [transaction] * 3
    stored = await gateway.service.runtime.pool.fetchval(
        "SELECT count(*) FROM idempotency_records WHERE client_id = $1", credential.client_id
    )
    assert stored == 0


async def test_expired_records_are_purged_and_their_keys_reusable(gateway, enrichment) -> None:
    credential = await gateway.credential()
    transaction = key()
    headers = credential.headers(**{"x-transaction-id": transaction})
    await gateway.http.post(ORDER, json=examples.CREATE_ORDER, headers=headers)
    pool = gateway.service.runtime.pool
    await pool.execute(
        "UPDATE idempotency_records SET expires_at = now() - interval '1 second' "
        "WHERE client_id = $1 AND idempotency_key = $2",
        credential.client_id,
        transaction,
    )
    other = {**examples.CREATE_ORDER, "quoteId": "Q-NEW"}
    reused = await gateway.http.post(ORDER, json=other, headers=headers)
    assert reused.status_code == 201
    assert "idempotent-replay" not in reused.headers
    await pool.execute(
        "UPDATE idempotency_records SET expires_at = now() - interval '1 second' WHERE client_id = $1",
        credential.client_id,
    )
    assert await IdempotencyRepository(pool).purge_expired() >= 1
    left = await pool.fetchval(
        "SELECT count(*) FROM idempotency_records WHERE client_id = $1", credential.client_id
    )
    assert left == 0


async def test_a_claim_whose_owner_died_is_taken_over_after_its_lease(gateway, enrichment) -> None:
    credential = await gateway.credential()
    transaction = key()
    body = b'{"orderId": "O-1"}'
    fingerprint = request_fingerprint("POST", "/api/v1/order-summary", body)
    pool = gateway.service.runtime.pool
    await pool.execute(
        """
        INSERT INTO idempotency_records
            (client_id, idempotency_key, fingerprint, status, locked_until, expires_at)
        VALUES ($1, $2, $3, 'in_progress', now() - interval '1 second', now() + interval '1 day')
        """,
        credential.client_id,
        transaction,
        fingerprint,
    )
    headers = credential.headers(**{"x-transaction-id": transaction, "content-type": "application/json"})
    response = await gateway.http.post("/api/v1/order-summary", content=body, headers=headers)
    assert response.status_code == 200
    assert "idempotent-replay" not in response.headers
    assert len(enrichment.calls) == 1
