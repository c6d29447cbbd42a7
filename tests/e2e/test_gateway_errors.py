"""Every error API.md names for the distributor endpoints, through the gateway on the real processes.

Each answer is checked for its status, the whole standard error body (`status`, `code`, `category`,
`message`, `traceId`, `validationErrors` / `businessError` only with entries) and the echoed
`x-trace-id`. Wrong secrets are tried on throwaway clients (`new_client`), so the failed-login
limit never locks out a demo credential that other tests use.
"""

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio

from shared_contracts.distributor import examples, paths
from shared_testing.gateway_calls import (
    ALL_ENDPOINTS,
    DISTRIBUTOR_ENDPOINTS,
    Endpoint,
    GatewayCaller,
    billing_body,
    check_error,
    credential_headers,
    new_trace,
    sub_order_target,
)
from shared_testing.platform import Platform

BODY_ENDPOINTS = [endpoint for endpoint in ALL_ENDPOINTS if endpoint.has_body]
VALID_BODIES: dict[str, dict[str, Any]] = {
    "create-order": examples.CREATE_ORDER,
    "installation": examples.INSTALLATION,
    "shipping": examples.SHIPPING,
    "billing": examples.BILLING,
    "cdg": examples.CDG,
    "order-summary": examples.SUMMARY_BY_ORDER,
    "submit": examples.SUBMIT_ORDER,
    "book-appointment": examples.BOOK_APPOINTMENT,
}
"""A body each distributor endpoint's model accepts (API.md's examples)."""
NOT_MOCKED_SITE = {"street": "1 NOWHERE RD", "city": "DALLAS", "state": "TX", "postalCode": "75201"}
ONE_MIB = 1_048_576


def name_of(endpoint: Endpoint) -> str:
    return endpoint.name


@pytest_asyncio.fixture(loop_scope="session")
async def callers(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any]
) -> AsyncIterator[dict[str, GatewayCaller]]:
    made = {name: GatewayCaller(gateway, demo_clients[name], source="e2e-errors") for name in demo_clients}
    yield made
    for caller in made.values():
        await caller.cancel_booked()


@pytest.fixture(scope="module")
def throwaway_distributors(new_client: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """Credentials of their own for wrong-secret attempts (10 failures lock a client_id for a while)."""
    return [new_client(sp=f"sp-errors-{index}") for index in range(3)]


async def send(
    http: httpx.AsyncClient,
    endpoint: Endpoint,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    if endpoint.has_body:
        return await http.request(endpoint.method, endpoint.url(), json=body or {}, headers=headers)
    return await http.request(endpoint.method, endpoint.url(), headers=headers)


async def test_the_tables_name_every_operation_the_gateway_serves(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    served = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path.startswith(("/api/", "/MerchIntegrations/")) and path != paths.RETIRED_SUBMIT
    }
    assert served == {(endpoint.method, endpoint.path) for endpoint in ALL_ENDPOINTS}


# 401: missing or wrong credentials, on every distributor endpoint, one message for every variant.

CREDENTIAL_VARIANTS = ["none", "no-secret", "no-client-id", "unknown-client-id", "wrong-secret"]


@pytest.mark.parametrize("variant", CREDENTIAL_VARIANTS)
@pytest.mark.parametrize("endpoint", DISTRIBUTOR_ENDPOINTS, ids=name_of)
async def test_missing_or_wrong_credentials_answer_401(
    gateway: httpx.AsyncClient,
    throwaway_distributors: list[dict[str, Any]],
    endpoint: Endpoint,
    variant: str,
) -> None:
    owner = throwaway_distributors[DISTRIBUTOR_ENDPOINTS.index(endpoint) % len(throwaway_distributors)]
    credentials = {
        "none": {},
        "no-secret": {"client_id": owner["client_id"]},
        "no-client-id": {"client_secret": owner["client_secret"]},
        "unknown-client-id": {
            "client_id": f"nobody-{uuid.uuid4().hex}",
            "client_secret": owner["client_secret"],
        },
        "wrong-secret": {"client_id": owner["client_id"], "client_secret": "not-" + owner["client_secret"]},
    }[variant]
    trace = new_trace("e2e-401")
    response = await send(
        gateway, endpoint, {**credentials, "x-trace-id": trace}, VALID_BODIES.get(endpoint.name)
    )
    body = check_error(response, 401, "UNAUTHORIZED", "AUTHORIZATION", trace)
    assert body["message"] == "Missing or invalid client credentials (headers client_id and client_secret)"
    assert owner["client_secret"] not in response.text


# 400 without x-trace-id, on every endpoint (before anything else is looked at).


@pytest.mark.parametrize("trace", [None, ""], ids=["absent", "empty"])
@pytest.mark.parametrize("endpoint", ALL_ENDPOINTS, ids=name_of)
async def test_a_request_without_x_trace_id_answers_400(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any], endpoint: Endpoint, trace: str | None
) -> None:
    credential = demo_clients["oms" if endpoint.role == "merchandising" else "sandbox-sp"]
    headers = credential_headers(credential)
    if trace is not None:
        headers["x-trace-id"] = trace
    response = await send(gateway, endpoint, headers)
    check_error(response, 400, "MISSING_TRACE_ID", "VALIDATION", None)
    assert "x-trace-id" not in response.headers


# 415: a body that is not declared as JSON, on every endpoint with a body.


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=name_of)
async def test_a_body_that_is_not_json_answers_415(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any], endpoint: Endpoint, content_type: str | None
) -> None:
    credential = demo_clients["oms" if endpoint.role == "merchandising" else "sandbox-sp"]
    trace = new_trace("e2e-415")
    headers = credential_headers(credential, **{"x-trace-id": trace})
    if content_type is not None:
        headers["content-type"] = content_type
    content = json.dumps(VALID_BODIES.get(endpoint.name, {"items": []})).encode()
    response = await gateway.request(endpoint.method, endpoint.url(), content=content, headers=headers)
    check_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", "VALIDATION", trace)


# 400 for an unknown field, reported at its path; the post code spellings get a hint.


@pytest.mark.parametrize("endpoint", [e for e in DISTRIBUTOR_ENDPOINTS if e.has_body], ids=name_of)
async def test_an_unknown_field_answers_400_naming_it(
    callers: dict[str, GatewayCaller], endpoint: Endpoint
) -> None:
    body = {**copy.deepcopy(VALID_BODIES[endpoint.name]), "unexpectedField": 7}
    response = await callers["sandbox-sp"].call(endpoint.method, endpoint.url(), body)
    problems = check_error(response, 400, "VALIDATION_FAILED", "VALIDATION", response.headers["x-trace-id"])
    assert problems["validationErrors"] == [
        {"error": "unknown field", "field": "unexpectedField", "inputValue": 7}
    ]


def nested(body: dict[str, Any], path: tuple[str | int, ...], name: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for step in path:
        target = target[step]
    target[name] = value
    return changed


UNKNOWN_FIELD_CASES = [
    # (endpoint, where, field added, its reported path, the words the error must contain)
    ("create-order", ("subOrders", 0, "items", 0), "colour", "subOrders[0].items[0].colour", "unknown field"),
    ("create-order", ("customer",), "quote_id", "customer.quote_id", "unknown field"),
    ("create-order", (), "quote_id", "quote_id", "unknown field"),
    (
        "create-order",
        ("subOrders", 0, "siteAddress"),
        "zipcode",
        "subOrders[0].siteAddress.zipcode",
        "'postalCode'",
    ),
    ("installation", ("siteAddress",), "zipcode", "siteAddress.zipcode", "'postalCode'"),
    ("installation", ("siteAddress",), "zip", "siteAddress.zip", "'postalCode'"),
    ("shipping", ("shippingAddress",), "zipcode", "shippingAddress.zipcode", "'zip'"),
    ("shipping", ("shippingAddress",), "postalCode", "shippingAddress.postalCode", "'zip'"),
    ("billing", ("orderedItems", 0), "discount", "orderedItems[0].discount", "unknown field"),
]


@pytest.mark.parametrize(
    ("endpoint_name", "where", "added", "reported", "words"),
    UNKNOWN_FIELD_CASES,
    ids=[case[3] for case in UNKNOWN_FIELD_CASES],
)
async def test_a_nested_unknown_field_is_reported_at_its_path(
    callers: dict[str, GatewayCaller],
    endpoint_name: str,
    where: tuple[str | int, ...],
    added: str,
    reported: str,
    words: str,
) -> None:
    endpoint = next(e for e in DISTRIBUTOR_ENDPOINTS if e.name == endpoint_name)
    body = nested(VALID_BODIES[endpoint_name], where, added, "75082")
    response = await callers["sandbox-sp"].call(endpoint.method, endpoint.path, body)
    problems = check_error(response, 400, "VALIDATION_FAILED", "VALIDATION", response.headers["x-trace-id"])
    [problem] = problems["validationErrors"]
    assert (problem["field"], problem["inputValue"]) == (reported, "75082")
    assert words in problem["error"], problem


async def test_unknown_query_parameters_and_malformed_ids_answer_400(
    callers: dict[str, GatewayCaller],
) -> None:
    sandbox = callers["sandbox-sp"]
    unknown = await sandbox.call("GET", paths.ORDERS, params={"spId": "sp-production"})
    problems = check_error(unknown, 400, "VALIDATION_FAILED", "VALIDATION", unknown.headers["x-trace-id"])
    assert [p["field"] for p in problems["validationErrors"]] == ["spId"]
    malformed = await sandbox.call("GET", paths.ORDER.format(orderId="a%20b"))
    problems = check_error(malformed, 400, "VALIDATION_FAILED", "VALIDATION", malformed.headers["x-trace-id"])
    assert [p["field"] for p in problems["validationErrors"]] == ["orderId"]
    paging = await sandbox.call("GET", paths.ORDERS, params={"limit": "101"})
    problems = check_error(paging, 400, "VALIDATION_FAILED", "VALIDATION", paging.headers["x-trace-id"])
    assert [p["field"] for p in problems["validationErrors"]] == ["limit"]


async def test_collection_limits_and_bad_transaction_ids_answer_400(
    callers: dict[str, GatewayCaller],
) -> None:
    sandbox = callers["sandbox-sp"]
    body = copy.deepcopy(examples.CREATE_ORDER)
    body["subOrders"] = body["subOrders"] * 51
    too_many = await sandbox.call("POST", paths.CREATE_ORDER, body)
    problems = check_error(too_many, 400, "VALIDATION_FAILED", "VALIDATION", too_many.headers["x-trace-id"])
    assert [p["field"] for p in problems["validationErrors"]] == ["subOrders"]
    key = "k" * 256
    bad_key = await sandbox.call(
        "POST", paths.CREATE_ORDER, examples.CREATE_ORDER, headers={"x-transaction-id": key}
    )
    problems = check_error(bad_key, 400, "VALIDATION_FAILED", "VALIDATION", bad_key.headers["x-trace-id"])
    assert [p["field"] for p in problems["validationErrors"]] == ["x-transaction-id"]


# 413: a body over 1 MiB, announced or streamed.


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("endpoint_name", ["create-order", "installation", "available-inventory"])
async def test_an_oversized_body_answers_413(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any], endpoint_name: str, streamed: bool
) -> None:
    endpoint = next(e for e in ALL_ENDPOINTS if e.name == endpoint_name)
    credential = demo_clients["oms" if endpoint.role == "merchandising" else "sandbox-sp"]
    trace = new_trace("e2e-413")
    headers = credential_headers(credential, **{"x-trace-id": trace, "content-type": "application/json"})
    payload = json.dumps({"quoteId": "Q-1", "padding": "x" * ONE_MIB}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    content: Any = chunks() if streamed else payload
    response = await gateway.request(endpoint.method, endpoint.url(), content=content, headers=headers)
    check_error(response, 413, "PAYLOAD_TOO_LARGE", "VALIDATION", trace)


# 409: submit checks the steps in order; a submitted order refuses enrichment.


def step_message(step: str) -> str:
    return f"Previous Step ({step}) is not complete."


async def submit_refused(caller: GatewayCaller, order_id: str, step: str) -> None:
    response = await caller.call("POST", paths.SUBMIT, {"orderId": order_id})
    body = check_error(response, 409, "STEP_INCOMPLETE", "BUSINESS", response.headers["x-trace-id"])
    assert body["message"] == step_message(step)


async def test_submit_names_the_first_missing_step_in_order_then_succeeds(
    callers: dict[str, GatewayCaller],
) -> None:
    sandbox = callers["sandbox-sp"]
    order = await sandbox.create_order()
    target = sub_order_target(order)

    dates = await sandbox.dates(target["orderId"], target["subOrderId"])
    body = check_error(dates, 409, "STEP_INCOMPLETE", "BUSINESS", dates.headers["x-trace-id"])
    assert body["message"] == step_message("Installation")

    await submit_refused(sandbox, order["orderId"], "Installation")
    await sandbox.enrich_installation(order)
    await submit_refused(sandbox, order["orderId"], "Shipping")
    await sandbox.enrich_shipping(order)
    await submit_refused(sandbox, order["orderId"], "Billing")
    await sandbox.enrich_billing(order)
    await submit_refused(sandbox, order["orderId"], "Service Appointment")
    await sandbox.book_first_window(order)
    submitted = await sandbox.ok("POST", paths.SUBMIT, {"orderId": order["orderId"]})
    assert (submitted["orderId"], submitted["orderStatus"]) == (order["orderId"], "SUBMITTED")

    # A submitted order refuses every enrichment.
    refusals = {
        "installation": await sandbox.call(
            "PUT",
            paths.INSTALLATION,
            {
                **copy.deepcopy(examples.INSTALLATION),
                **target,
                "customerRequestedStartDate": (date.today() + timedelta(days=8)).isoformat(),
                "customerRequestedDueDate": (date.today() + timedelta(days=9)).isoformat(),
            },
        ),
        "shipping": await sandbox.call(
            "POST", paths.SHIPPING, {**copy.deepcopy(examples.SHIPPING), **target}
        ),
        "billing": await sandbox.call("POST", paths.BILLING, billing_body(order)),
    }
    for step, response in refusals.items():
        body = check_error(response, 409, "ORDER_NOT_OPEN", "BUSINESS", response.headers["x-trace-id"])
        assert order["orderId"] in body["message"], (step, body)
    again = await sandbox.call("POST", paths.SUBMIT, {"orderId": order["orderId"]})
    check_error(again, 409, "ORDER_NOT_OPEN", "BUSINESS", again.headers["x-trace-id"])


async def test_business_rules_of_enrichment_and_booking(callers: dict[str, GatewayCaller]) -> None:
    sandbox = callers["sandbox-sp"]
    order = await sandbox.create_order()
    target = sub_order_target(order)

    later, sooner = date.today() + timedelta(days=20), date.today() + timedelta(days=10)
    installation = {**copy.deepcopy(examples.INSTALLATION), **target}
    reversed_dates = await sandbox.call(
        "PUT",
        paths.INSTALLATION,
        {
            **installation,
            "customerRequestedStartDate": later.isoformat(),
            "customerRequestedDueDate": sooner.isoformat(),
        },
    )
    check_error(reversed_dates, 400, "VALIDATION_FAILED", "VALIDATION", reversed_dates.headers["x-trace-id"])
    # "In the past" is judged on the business calendar (enrichment's BUSINESS_TIMEZONE default),
    # not the test machine's: around midnight UTC the two days differ.
    past = datetime.now(ZoneInfo("America/Chicago")).date() - timedelta(days=1)
    in_the_past = await sandbox.call(
        "PUT",
        paths.INSTALLATION,
        {
            **installation,
            "customerRequestedStartDate": past.isoformat(),
            "customerRequestedDueDate": later.isoformat(),
        },
    )
    body = check_error(in_the_past, 400, "VALIDATION_FAILED", "VALIDATION", in_the_past.headers["x-trace-id"])
    assert "customerRequestedStartDate" in {p["field"] for p in body["validationErrors"]}

    wrong_quote = await sandbox.call("POST", paths.BILLING, {**billing_body(order), "quoteId": "Q-OTHER"})
    check_error(wrong_quote, 422, "QUOTE_MISMATCH", "BUSINESS", wrong_quote.headers["x-trace-id"])

    await sandbox.enrich_installation(order)
    not_offered = await sandbox.call(
        "POST",
        paths.APPOINTMENT,
        {**target, "startDate": "2099-01-04 03:00:00.000", "endDate": "2099-01-04 04:00:00.000"},
    )
    check_error(not_offered, 409, "SLOT_UNAVAILABLE", "BUSINESS", not_offered.headers["x-trace-id"])

    unknown = await sandbox.call("GET", paths.ORDER.format(orderId=str(uuid.uuid4())))
    check_error(unknown, 404, "NOT_FOUND", "NOT_FOUND", unknown.headers["x-trace-id"])
    retired = await sandbox.call("POST", paths.RETIRED_SUBMIT, {"orderId": order["orderId"]})
    body = check_error(retired, 404, "NOT_FOUND", "NOT_FOUND", retired.headers["x-trace-id"])
    assert "POST /api/v1/order/submit" in body["message"]


# Sandbox test data (422 TEST_DATA) is not an authorization failure (401/403 AUTHORIZATION).


async def test_sandbox_test_data_failure_differs_from_authorization_failure(
    gateway: httpx.AsyncClient, callers: dict[str, GatewayCaller], new_client: Callable[..., dict[str, Any]]
) -> None:
    sandbox, production = callers["sandbox-sp"], callers["production-sp"]
    order = await sandbox.create_order()
    body = {**copy.deepcopy(examples.INSTALLATION), **sub_order_target(order), "siteAddress": NOT_MOCKED_SITE}
    start, due = date.today() + timedelta(days=10), date.today() + timedelta(days=20)
    body.update(customerRequestedStartDate=start.isoformat(), customerRequestedDueDate=due.isoformat())

    test_data = await sandbox.call("PUT", paths.INSTALLATION, body)
    refusal = check_error(test_data, 422, "TEST_DATA", "TEST_DATA", test_data.headers["x-trace-id"])
    assert examples.KNOWN_GOOD_SITE_ADDRESS["street"] in refusal["message"]

    same_sp = new_client(sp=sandbox.credential["sp"])
    trace = new_trace("e2e-auth")
    wrong = credential_headers({**same_sp, "client_secret": "wrong"}, **{"x-trace-id": trace})
    unauthorized = await gateway.put(paths.INSTALLATION, json=body, headers=wrong)
    check_error(unauthorized, 401, "UNAUTHORIZED", "AUTHORIZATION", trace)
    trace = new_trace("e2e-auth")
    forbidden = await gateway.put(
        paths.INSTALLATION,
        json=body,
        headers=credential_headers(callers["oms"].credential, **{"x-trace-id": trace}),
    )
    check_error(forbidden, 403, "FORBIDDEN", "AUTHORIZATION", trace)

    production_order = await production.create_order(NOT_MOCKED_SITE)
    accepted = await production.call(
        "PUT", paths.INSTALLATION, {**body, **sub_order_target(production_order)}
    )
    assert accepted.status_code == 200, accepted.text


# Idempotency: replay of the stored answer, conflict on another body, one order for duplicates.


async def orders_with_reference(caller: GatewayCaller, reference: str) -> int:
    listing = await caller.call("GET", paths.ORDERS, params={"externalOrderId": reference})
    assert listing.status_code == 200, listing.text
    total: int = listing.json()["total"]
    return total


async def test_same_transaction_id_replays_and_another_body_conflicts(
    callers: dict[str, GatewayCaller],
) -> None:
    sandbox, connector = callers["sandbox-sp"], callers["connector-sp-a"]
    reference = f"PO-{uuid.uuid4().hex[:10]}"
    body = {**copy.deepcopy(examples.CREATE_ORDER), "externalOrderId": reference}
    key = {"x-transaction-id": f"tx-{uuid.uuid4()}"}

    first = await sandbox.call("POST", paths.CREATE_ORDER, body, headers=key)
    assert first.status_code == 201, first.text
    assert "idempotent-replay" not in first.headers
    replay = await sandbox.call(
        "POST", paths.CREATE_ORDER, json.loads(json.dumps(body, indent=1)), headers=key
    )
    assert replay.status_code == 201
    assert replay.headers["idempotent-replay"] == "true"
    assert replay.json() == first.json()
    assert await orders_with_reference(sandbox, reference) == 1

    other = {**body, "quoteId": "Q-OTHER"}
    conflict = await sandbox.call("POST", paths.CREATE_ORDER, other, headers=key)
    check_error(conflict, 409, "IDEMPOTENCY_CONFLICT", "BUSINESS", conflict.headers["x-trace-id"])
    assert await orders_with_reference(sandbox, reference) == 1

    # Keys are per client: another client's same key is a new request.
    elsewhere = await connector.call("POST", paths.CREATE_ORDER, body, headers=key)
    assert elsewhere.status_code == 201
    assert "idempotent-replay" not in elsewhere.headers
    assert elsewhere.json()["orderId"] != first.json()["orderId"]


async def test_concurrent_duplicates_create_exactly_one_order(callers: dict[str, GatewayCaller]) -> None:
    sandbox = callers["sandbox-sp"]
    reference = f"PO-{uuid.uuid4().hex[:10]}"
    body = {**copy.deepcopy(examples.CREATE_ORDER), "externalOrderId": reference}
    key = {"x-transaction-id": f"tx-{uuid.uuid4()}"}
    answers = await asyncio.gather(
        *(sandbox.call("POST", paths.CREATE_ORDER, body, headers=key) for _ in range(8))
    )
    assert [answer.status_code for answer in answers] == [201] * 8
    assert len({answer.json()["orderId"] for answer in answers}) == 1
    assert sum("idempotent-replay" not in answer.headers for answer in answers) == 1
    assert await orders_with_reference(sandbox, reference) == 1


# 429: a client over its rate (a gateway replica configured with a low limit).


async def test_a_client_over_its_rate_gets_429_with_retry_after(
    limited_gateway: Platform, new_client: Callable[..., dict[str, Any]], platform: Platform
) -> None:
    credential = new_client(sp=f"sp-rate-{uuid.uuid4().hex[:6]}")
    async with httpx.AsyncClient(base_url=limited_gateway.urls["gateway"], timeout=20) as http:
        statuses = []
        for _ in range(3):
            answer = await http.get(
                paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": new_trace()})
            )
            statuses.append(answer.status_code)
        assert statuses == [200, 200, 200]
        trace = new_trace("e2e-429")
        limited = await http.get(
            paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": trace})
        )
        check_error(limited, 429, "RATE_LIMITED", "RATE_LIMITED", trace)
        assert int(limited.headers["retry-after"]) >= 1
    # The limit is per client: the same credential still gets through the other replica.
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=20) as http:
        other_replica = await http.get(
            paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": new_trace()})
        )
        assert other_replica.status_code == 200
