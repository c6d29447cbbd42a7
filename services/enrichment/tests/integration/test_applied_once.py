"""A request with an `x-transaction-id` is applied once per client, even when it reaches enrichment
again (the gateway could not store the first answer: enrichment committed and then died, or its
answer was lost, so the gateway released its claim and passed the client's retry on)."""

import asyncio
import copy
import uuid

from shared_contracts.distributor import examples, paths

from .distributor import error_of


def _order_body(external_order_id: str) -> dict:
    return copy.deepcopy(examples.CREATE_ORDER) | {"externalOrderId": external_order_id}


async def _orders_with_external_id(sp, external_order_id: str) -> list[str]:
    listed = await sp.call("GET", paths.ORDERS, params={"externalOrderId": external_order_id})
    assert listed.status_code == 200, listed.text
    return [order["orderId"] for order in listed.json()["orders"]]


async def test_a_retried_create_gets_the_first_answer_and_makes_no_second_order(distributor):
    sp = distributor()
    key, external_id = f"tx-{uuid.uuid4()}", f"PO-{uuid.uuid4().hex[:10]}"
    first = await sp.call("POST", paths.CREATE_ORDER, _order_body(external_id), transaction_id=key)
    again = await sp.call("POST", paths.CREATE_ORDER, _order_body(external_id), transaction_id=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await _orders_with_external_id(sp, external_id) == [first.json()["orderId"]]


async def test_concurrent_duplicates_create_exactly_one_order(distributor):
    sp = distributor()
    key, external_id = f"tx-{uuid.uuid4()}", f"PO-{uuid.uuid4().hex[:10]}"
    answers = await asyncio.gather(
        *(sp.call("POST", paths.CREATE_ORDER, _order_body(external_id), transaction_id=key) for _ in range(6))
    )
    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["orderId"] for answer in answers}) == 1
    assert await _orders_with_external_id(sp, external_id) == [answers[0].json()["orderId"]]


async def test_the_same_key_with_another_request_is_refused(distributor):
    sp = distributor()
    key = f"tx-{uuid.uuid4()}"
    created = await sp.call("POST", paths.CREATE_ORDER, _order_body("PO-first"), transaction_id=key)
    assert created.status_code == 201
    other_body = await sp.call("POST", paths.CREATE_ORDER, _order_body("PO-second"), transaction_id=key)
    status, code, category, message = error_of(other_body)
    assert (status, code, category) == (409, "IDEMPOTENCY_CONFLICT", "BUSINESS")
    assert key in message
    other_operation = await sp.call(
        "POST", paths.CDG, {"orderIds": [created.json()["orderId"]], "cdgName": "Rollout"}, transaction_id=key
    )
    assert error_of(other_operation)[:2] == (409, "IDEMPOTENCY_CONFLICT")
    assert await _orders_with_external_id(sp, "PO-second") == []


async def test_keys_belong_to_one_client(distributor):
    key, external_id = f"tx-{uuid.uuid4()}", f"PO-{uuid.uuid4().hex[:10]}"
    sp = distributor()
    mine = await sp.call("POST", paths.CREATE_ORDER, _order_body(external_id), transaction_id=key)
    other_client = distributor(sp_id=sp.sp_id)
    other_client.client_id = "client-other"
    theirs = await other_client.call("POST", paths.CREATE_ORDER, _order_body(external_id), transaction_id=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["orderId"] != mine.json()["orderId"]


async def test_a_refused_request_claims_nothing(distributor):
    sp = distributor()
    key = f"tx-{uuid.uuid4()}"
    refused = await sp.call(
        "POST", paths.CDG, {"orderIds": [str(uuid.uuid4())], "cdgName": "Rollout"}, transaction_id=key
    )
    assert error_of(refused)[:2] == (404, "NOT_FOUND")
    order = await sp.create_order()
    grouped = await sp.call(
        "POST", paths.CDG, {"orderIds": [order["orderId"]], "cdgName": "Rollout"}, transaction_id=key
    )
    assert grouped.status_code == 200, grouped.text


async def test_a_retried_cdg_request_gets_the_first_group(distributor):
    sp = distributor()
    order = await sp.create_order()
    key, body = f"tx-{uuid.uuid4()}", {"orderIds": [order["orderId"]], "cdgName": "Rollout"}
    first = await sp.call("POST", paths.CDG, body, transaction_id=key)
    again = await sp.call("POST", paths.CDG, body, transaction_id=key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()


async def test_a_retried_submit_gets_the_first_answer_and_a_new_submit_is_refused(
    distributor, fake_appointments, order_events
):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, sub_order_id)
    key = f"tx-{uuid.uuid4()}"
    first = await sp.call("POST", paths.SUBMIT, {"orderId": order_id}, transaction_id=key)
    again = await sp.call("POST", paths.SUBMIT, {"orderId": order_id}, transaction_id=key)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.json() == first.json()
    another_key = await sp.call(
        "POST", paths.SUBMIT, {"orderId": order_id}, transaction_id=f"tx-{uuid.uuid4()}"
    )
    assert error_of(another_key)[:2] == (409, "ORDER_NOT_OPEN")
    await order_events.wait_for(lambda seen: seen.of_order(order_id, "OrderSubmitted"), settle=1.0)
    assert len(order_events.of_order(order_id, "OrderSubmitted")) == 1
