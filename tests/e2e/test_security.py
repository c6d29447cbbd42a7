"""Hostile input at the gateway: mass assignment, credential brute force, secrets in logs and bodies.

Mass assignment: every field API.md's answers carry but its requests do not (ids, statuses, the SP,
timestamps) is refused with 400 in every create and enrichment body, and nothing is stored.
Brute force: wrong secrets for one client_id hit 429 (the shipped defaults), and guesses sprayed
over many client ids from one address hit the per-address limit (a low-limit replica).
Secrets: after requests with right and wrong secrets, no secret is in any response, in any
service's log output or in the exported spans; the `clients` CLI prints a secret once only.
"""

import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared_contracts.distributor import examples, paths
from shared_testing.gateway_calls import (
    ALL_ENDPOINTS,
    GatewayCaller,
    billing_body,
    check_error,
    credential_headers,
    gateway_clients,
    new_trace,
    sub_order_target,
)
from shared_testing.platform import Platform

# Mass assignment: (endpoint, where in the body, server-owned field, value).
SERVER_OWNED = [
    ("create-order", (), "orderId", "O-CHOSEN"),
    ("create-order", (), "contractId", "C-CHOSEN"),
    ("create-order", (), "orderStatus", "CONFIRMED"),
    ("create-order", (), "status", "SUCCESS"),
    ("create-order", (), "spId", "sp-production"),
    ("create-order", (), "environment", "production"),
    ("create-order", (), "clientId", "someone-else"),
    ("create-order", (), "cdgId", "CDG-CHOSEN"),
    ("create-order", (), "createdAt", "2020-01-01T00:00:00Z"),
    ("create-order", (), "updatedAt", "2020-01-01T00:00:00Z"),
    ("create-order", (), "statusHistory", []),
    ("create-order", ("subOrders", 0), "subOrderId", "S-CHOSEN"),
    ("create-order", ("subOrders", 0, "items", 0), "orderItemId", "I-CHOSEN"),
    ("create-order", ("subOrders", 0), "confirmationType", "C"),
    ("installation", (), "status", "COMPLETE"),
    ("installation", (), "step", "INSTALLATION"),
    ("installation", (), "orderStatus", "SUBMITTED"),
    ("installation", (), "completedAt", "2020-01-01T00:00:00Z"),
    ("installation", (), "spId", "sp-production"),
    ("shipping", (), "orderStatus", "SUBMITTED"),
    ("shipping", (), "traceId", "forged"),
    ("billing", (), "billingAccountInvoiceNumber", "INV-CHOSEN"),
    ("billing", (), "orderStatus", "CONFIRMED"),
    ("cdg", (), "spId", "sp-production"),
    ("submit", (), "orderStatus", "CONFIRMED"),
    ("book-appointment", (), "appointmentId", "A-CHOSEN"),
    ("book-appointment", (), "status", "CONFIRMED"),
    ("book-appointment", (), "availableSlots", 99),
]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def owner(platform: Platform, demo_clients: dict[str, Any]) -> AsyncIterator[GatewayCaller]:
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=30) as http:
        caller = GatewayCaller(http, demo_clients["sandbox-sp"], source="e2e-security")
        yield caller
        await caller.cancel_booked()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def prepared_order(owner: GatewayCaller) -> dict[str, Any]:
    """An order with installation done, so every enrichment body below would otherwise be accepted."""
    order = await owner.create_order()
    await owner.enrich_installation(order)
    return order


def valid_body(endpoint: str, order: dict[str, Any]) -> dict[str, Any]:
    target = sub_order_target(order)
    start = date.today() + timedelta(days=12)
    bodies: dict[str, dict[str, Any]] = {
        "create-order": copy.deepcopy(examples.CREATE_ORDER)
        | {"externalOrderId": f"PO-{uuid.uuid4().hex[:10]}"},
        "installation": copy.deepcopy(examples.INSTALLATION)
        | target
        | {
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": (start + timedelta(days=5)).isoformat(),
        },
        "shipping": copy.deepcopy(examples.SHIPPING) | target,
        "billing": billing_body(order),
        "cdg": {"cdgName": "mass assignment", "orderIds": [order["orderId"]]},
        "submit": {"orderId": order["orderId"]},
        "book-appointment": target
        | {"startDate": "2099-01-05 08:00:00.000", "endDate": "2099-01-05 12:00:00.000"},
    }
    return bodies[endpoint]


async def state_of(owner: GatewayCaller, order: dict[str, Any]) -> list[Any]:
    return [
        await owner.ok("GET", paths.ORDER.format(orderId=order["orderId"])),
        await owner.ok("POST", paths.ORDER_SUMMARY, {"orderId": order["orderId"]}),
    ]


@pytest.mark.parametrize(
    ("endpoint_name", "where", "field", "value"),
    SERVER_OWNED,
    ids=[f"{case[0]}-{'.'.join(map(str, (*case[1], case[2])))}" for case in SERVER_OWNED],
)
async def test_server_owned_fields_in_a_body_are_refused_and_not_stored(
    owner: GatewayCaller,
    prepared_order: dict[str, Any],
    endpoint_name: str,
    where: tuple[str | int, ...],
    field: str,
    value: Any,
) -> None:
    endpoint = next(e for e in ALL_ENDPOINTS if e.name == endpoint_name)
    body = valid_body(endpoint_name, prepared_order)
    spot: Any = body
    for step in where:
        spot = spot[step]
    spot[field] = value
    before = await state_of(owner, prepared_order)

    response = await owner.call(endpoint.method, endpoint.path, body)

    refusal = check_error(response, 400, "VALIDATION_FAILED", "VALIDATION", response.headers["x-trace-id"])
    reported = "".join(
        f"[{step}]" if isinstance(step, int) else f".{step}" for step in (*where, field)
    ).lstrip(".")
    assert [(p["field"], p["error"]) for p in refusal["validationErrors"]] == [(reported, "unknown field")]
    assert await state_of(owner, prepared_order) == before
    if endpoint_name == "create-order":
        listing = await owner.ok("GET", paths.ORDERS, params={"externalOrderId": body["externalOrderId"]})
        assert listing["total"] == 0, "a refused create stored an order"
    if field == "orderId" and endpoint_name == "create-order":
        unknown = await owner.call("GET", paths.ORDER.format(orderId=value))
        assert unknown.status_code == 404


# Credential brute force.


async def test_wrong_secrets_for_one_client_id_hit_429_even_for_the_right_secret(
    gateway: httpx.AsyncClient, new_client: Callable[..., dict[str, Any]]
) -> None:
    """The shipped defaults: 10 failures per client_id, then 429 until the bucket refills."""
    credential = new_client(sp=f"sp-brute-{uuid.uuid4().hex[:6]}")
    statuses = []
    for attempt in range(12):
        guess = {**credential, "client_secret": f"guess-{attempt}-{uuid.uuid4().hex}"}
        response = await gateway.get(
            paths.ORDERS, headers=credential_headers(guess, **{"x-trace-id": new_trace()})
        )
        statuses.append(response.status_code)
    assert statuses == [401] * 10 + [429] * 2
    trace = new_trace("e2e-brute")
    right = await gateway.get(paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": trace}))
    body = check_error(right, 429, "RATE_LIMITED", "RATE_LIMITED", trace)
    assert "client_id" in body["message"]
    assert int(right.headers["retry-after"]) >= 1
    assert credential["client_secret"] not in right.text


async def test_guesses_sprayed_over_client_ids_from_one_address_hit_429(
    limited_gateway: Platform, new_client: Callable[..., dict[str, Any]]
) -> None:
    """Per source address (5 failures on this replica); another address is not affected, and a
    forged X-Forwarded-For from an untrusted peer changes nothing."""
    attacker = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    credential = new_client(sp=f"sp-spray-{uuid.uuid4().hex[:6]}")
    url = limited_gateway.urls["gateway"]
    async with httpx.AsyncClient(base_url=url, timeout=20, transport=attacker) as http:
        statuses = []
        for attempt in range(7):
            guess = {"client_id": f"guess-{uuid.uuid4().hex}", "client_secret": "guess"}
            headers = credential_headers(
                guess, **{"x-trace-id": new_trace(), "x-forwarded-for": f"10.9.8.{attempt}"}
            )
            statuses.append((await http.get(paths.ORDERS, headers=headers)).status_code)
        assert statuses == [401] * 5 + [429] * 2
        trace = new_trace("e2e-spray")
        blocked = await http.get(
            paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": trace})
        )
        body = check_error(blocked, 429, "RATE_LIMITED", "RATE_LIMITED", trace)
        assert "address" in body["message"]
        assert int(blocked.headers["retry-after"]) >= 1
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        elsewhere = await http.get(
            paths.ORDERS, headers=credential_headers(credential, **{"x-trace-id": new_trace()})
        )
        assert elsewhere.status_code == 200, elsewhere.text


# Secrets never in logs, spans or bodies; the CLI prints a secret once.


def every_file(*directories: Path) -> dict[Path, str]:
    return {
        path: path.read_text(errors="replace")
        for directory in directories
        for path in directory.rglob("*")
        if path.is_file()
    }


async def test_no_secret_reaches_a_log_a_span_or_a_response(
    gateway: httpx.AsyncClient,
    platform: Platform,
    limited_gateway: Platform,
    demo_clients: dict[str, Any],
    new_client: Callable[..., dict[str, Any]],
    service_db_urls: dict[str, str],
) -> None:
    throwaway = new_client(sp=f"sp-secrets-{uuid.uuid4().hex[:6]}")
    rotated = gateway_clients(service_db_urls["gateway"], "rotate", throwaway["client_id"], "--json").stdout
    new_secret = json.loads(rotated)["client_secret"]
    right = [client["client_secret"] for client in demo_clients.values()] + [new_secret]
    wrong = [f"wrong-{uuid.uuid4().hex}" for _ in range(3)] + [throwaway["client_secret"]]  # old = wrong now
    answers: list[httpx.Response] = []
    for base in (gateway, httpx.AsyncClient(base_url=limited_gateway.urls["gateway"], timeout=20)):
        for endpoint in ALL_ENDPOINTS:
            for secret in [*right, *wrong]:
                name = next((n for n, c in demo_clients.items() if c["client_secret"] == secret), None)
                client_id = demo_clients[name]["client_id"] if name else throwaway["client_id"]
                headers = {
                    "client_id": client_id,
                    "client_secret": secret,
                    "x-trace-id": new_trace("e2e-secrets"),
                }
                body = {"orderId": "O-404"} if endpoint.has_body else None
                answers.append(
                    await base.request(endpoint.method, endpoint.url(), json=body, headers=headers)
                )
            if base is not gateway:
                break  # one endpoint is enough on the second replica
        if base is not gateway:
            await base.aclose()
    assert {200, 400, 401, 403, 404, 429} <= {answer.status_code for answer in answers}
    files = every_file(platform.log_dir, limited_gateway.log_dir)
    assert any("authentication failed" in text for text in files.values()), "expected failed logins in a log"
    for secret in [*right, *wrong]:
        for answer in answers:
            assert secret not in answer.text, (answer.request.url, answer.text)
            assert secret not in str(answer.headers)
        for path, text in files.items():
            assert secret not in text, f"a secret is in {path}"


def test_the_clients_cli_prints_a_secret_once_and_never_logs_it(
    service_db_urls: dict[str, str], platform: Platform
) -> None:
    database = service_db_urls["gateway"]
    name = f"e2e-cli-{uuid.uuid4().hex[:8]}"
    created = gateway_clients(
        database,
        "create",
        "--name",
        name,
        "--sp",
        "sp-cli",
        "--environment",
        "sandbox",
        "--role",
        "distributor",
    )
    client_id = next(
        line.split()[-1] for line in created.stdout.splitlines() if line.startswith("client_id:")
    )
    secret = next(
        line.split()[-1] for line in created.stdout.splitlines() if line.startswith("client_secret:")
    )
    assert created.stdout.count(secret) == 1
    assert secret not in created.stderr

    rotated = gateway_clients(database, "rotate", client_id)
    new_secret = next(
        line.split()[-1] for line in rotated.stdout.splitlines() if line.startswith("client_secret:")
    )
    assert new_secret != secret
    assert rotated.stdout.count(new_secret) == 1
    assert secret not in rotated.stdout + rotated.stderr
    assert new_secret not in rotated.stderr

    for listing in (gateway_clients(database, "list"), gateway_clients(database, "list", "--json")):
        assert client_id in listing.stdout
        assert secret not in listing.stdout + listing.stderr
        assert new_secret not in listing.stdout + listing.stderr
    disabled = gateway_clients(database, "disable", client_id)
    for text in [disabled.stdout, disabled.stderr, *every_file(platform.log_dir).values()]:
        assert secret not in text
        assert new_secret not in text
