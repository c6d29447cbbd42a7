"""Tenant isolation through the gateway: one SP's ids are nobody else's (API.md "Tenancy"), and roles.

The BOLA matrix crosses every attacker credential with every endpoint and id type of API.md
(order, sub-order, order item, CDG, appointment), the attacker's own ids mixed with the victim's
included. Every cell must answer as if the victim's id did not exist (the same status and code as
a never-issued id, 404 where the id names the object addressed) and must change nothing: the
victim's order, CDG and appointment are read back after each cell and compared with a snapshot.
The victim's order is complete and booked but not submitted, so every cell would succeed if the
SP were not checked. The role matrix crosses every endpoint with every credential of the other role.
"""

import copy
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared_contracts.distributor import examples, paths
from shared_testing.gateway_calls import (
    ALL_ENDPOINTS,
    Endpoint,
    GatewayCaller,
    check_error,
    credential_headers,
    new_trace,
    sub_order_id_of,
)
from shared_testing.platform import Platform

VICTIM = "connector-sp-a"
ATTACKERS = ["connector-sp-b", "sandbox-sp", "production-sp"]
"""The same connector's other SP, another SP in the same environment, and one in production."""
DISTRIBUTORS = ["sandbox-sp", "production-sp", "connector-sp-a", "connector-sp-b"]
PRODUCTION_SITE = {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"}


@dataclass(frozen=True)
class Ids:
    """Every id type of API.md, of one SP's order (its one sub-order, item, CDG and appointment)."""

    order_id: str
    sub_order_id: str
    order_item_id: str
    cdg_id: str
    appointment_id: str
    external_order_id: str
    window: dict[str, str]

    def never_issued(self) -> "Ids":
        """The same shape with ids nobody has: the answer a victim's id must not differ from."""
        fresh = {name: str(uuid.uuid4()) for name in ("order_id", "sub_order_id", "order_item_id", "cdg_id")}
        return replace(self, **fresh, appointment_id=str(uuid.uuid4()), external_order_id="PO-NEVER-ISSUED")

    def as_text(self) -> dict[str, str]:
        return {
            name: value
            for name, value in vars(self).items()
            if isinstance(value, str) and name != "external_order_id"
        }


Body = Callable[[Ids, Ids], dict[str, Any] | None]


@dataclass(frozen=True)
class Cell:
    """One attack: `request(victim, own)` gives (method, path, body, params)."""

    name: str
    method: str
    path: Callable[[Ids], str]
    body: Body
    params: Callable[[Ids, Ids], dict[str, str] | None] = lambda victim, own: None
    expected: tuple[int, str] = (404, "NOT_FOUND")


def fixed(path: str) -> Callable[[Ids], str]:
    return lambda victim: path


def nobody(victim: Ids, own: Ids) -> None:
    return None


def target(order: Ids, sub_order: Ids) -> dict[str, str]:
    return {"orderId": order.order_id, "subOrderId": sub_order.sub_order_id}


def installation(order: Ids, sub_order: Ids) -> dict[str, Any]:
    body = copy.deepcopy(examples.INSTALLATION) | target(order, sub_order)
    start = date.today() + timedelta(days=10)
    return body | {
        "customerRequestedStartDate": start.isoformat(),
        "customerRequestedDueDate": (start + timedelta(days=5)).isoformat(),
    }


def billing(order: Ids, sub_order: Ids, item: Ids) -> dict[str, Any]:
    body = copy.deepcopy(examples.BILLING) | target(order, sub_order)
    return body | {
        "orderedItems": [
            {
                "orderItemId": item.order_item_id,
                "unitPrice": 1.0,
                "currency": "USD",
                "billingFrequency": "ONE_TIME",
            }
        ]
    }


def booking(order: Ids, sub_order: Ids, window: dict[str, str]) -> dict[str, Any]:
    return target(order, sub_order) | {"startDate": window["startDate"], "endDate": window["endDate"]}


CELLS = [
    # reads
    Cell("get-order", "GET", lambda v: paths.ORDER.format(orderId=v.order_id), nobody),
    Cell("summary-by-order", "POST", fixed(paths.ORDER_SUMMARY), lambda v, o: {"orderId": v.order_id}),
    Cell("summary-by-cdg", "POST", fixed(paths.ORDER_SUMMARY), lambda v, o: {"cdgId": v.cdg_id}),
    Cell(
        "dates-victim-order",
        "GET",
        fixed(paths.APPOINTMENT_DATES),
        nobody,
        params=lambda v, o: target(v, v),
    ),
    Cell(
        "dates-own-order-victim-sub-order",
        "GET",
        fixed(paths.APPOINTMENT_DATES),
        nobody,
        params=lambda v, o: target(o, v),
    ),
    # enrichment
    Cell("installation-victim-order", "PUT", fixed(paths.INSTALLATION), lambda v, o: installation(v, v)),
    Cell(
        "installation-own-order-victim-sub-order",
        "PUT",
        fixed(paths.INSTALLATION),
        lambda v, o: installation(o, v),
    ),
    Cell(
        "shipping-victim-order",
        "POST",
        fixed(paths.SHIPPING),
        lambda v, o: copy.deepcopy(examples.SHIPPING) | target(v, v),
    ),
    Cell(
        "shipping-own-order-victim-sub-order",
        "POST",
        fixed(paths.SHIPPING),
        lambda v, o: copy.deepcopy(examples.SHIPPING) | target(o, v),
    ),
    Cell("billing-victim-order", "POST", fixed(paths.BILLING), lambda v, o: billing(v, v, v)),
    Cell("billing-own-order-victim-sub-order", "POST", fixed(paths.BILLING), lambda v, o: billing(o, v, o)),
    Cell(
        "billing-own-sub-order-victim-item",
        "POST",
        fixed(paths.BILLING),
        lambda v, o: billing(o, o, v),
        expected=(
            422,
            "UNKNOWN_ORDER_ITEM",
        ),  # the addressed sub-order is the caller's; the line is not in it
    ),
    # grouping
    Cell(
        "cdg-new-with-victim-order",
        "POST",
        fixed(paths.CDG),
        lambda v, o: {"cdgName": "x", "orderIds": [v.order_id]},
    ),
    Cell(
        "cdg-new-with-own-and-victim-order",
        "POST",
        fixed(paths.CDG),
        lambda v, o: {"cdgName": "x", "orderIds": [o.order_id, v.order_id]},
    ),
    Cell(
        "cdg-add-own-order-to-victim-cdg",
        "POST",
        fixed(paths.CDG),
        lambda v, o: {"cdgId": v.cdg_id, "orderIds": [o.order_id]},
    ),
    # submit
    Cell("submit-victim-order", "POST", fixed(paths.SUBMIT), lambda v, o: {"orderId": v.order_id}),
    Cell("submit-victim-cdg", "POST", fixed(paths.SUBMIT), lambda v, o: {"cdgId": v.cdg_id}),
    # appointments
    Cell("book-victim-sub-order", "POST", fixed(paths.APPOINTMENT), lambda v, o: booking(v, v, v.window)),
    Cell(
        "book-own-order-victim-sub-order",
        "POST",
        fixed(paths.APPOINTMENT),
        lambda v, o: booking(o, v, o.window),
    ),
    Cell(
        "cancel-victim-appointment",
        "DELETE",
        lambda v: f"{paths.APPOINTMENT}/{v.appointment_id}",
        nobody,
    ),
]


async def fully_prepared(caller: GatewayCaller, site: dict[str, str]) -> Ids:
    """An order enriched in every step, booked, in a CDG of its own, not submitted."""
    order, _, _ = await caller.enriched_order(site)
    offered = await caller.dates(order["orderId"], sub_order_id_of(order))
    assert offered.status_code == 200, offered.text
    windows = offered.json()["appointmentDates"]
    booked = await caller.book(order["orderId"], sub_order_id_of(order), windows[0])
    group = await caller.ok("POST", paths.CDG, {"cdgName": "isolation", "orderIds": [order["orderId"]]})
    status = await caller.ok("GET", paths.ORDER.format(orderId=order["orderId"]))
    return Ids(
        order_id=order["orderId"],
        sub_order_id=sub_order_id_of(order),
        order_item_id=order["subOrders"][0]["subOrderItems"][0]["orderItemId"],
        cdg_id=group["cdgId"],
        appointment_id=booked["appointmentId"],
        external_order_id=status["externalOrderId"],
        window=windows[-1],
    )


async def snapshot(caller: GatewayCaller, ids: Ids) -> list[Any]:
    """What the owner sees of its order, CDG and appointment."""
    return [
        await caller.ok("GET", paths.ORDER.format(orderId=ids.order_id)),
        await caller.ok("POST", paths.ORDER_SUMMARY, {"orderId": ids.order_id}),
        await caller.ok("POST", paths.ORDER_SUMMARY, {"cdgId": ids.cdg_id}),
    ]


@dataclass
class Tenants:
    callers: dict[str, GatewayCaller]
    ids: dict[str, Ids]
    before: list[Any]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def tenants(platform: Platform, demo_clients: dict[str, Any]) -> AsyncIterator[Tenants]:
    async with httpx.AsyncClient(base_url=platform.urls["gateway"], timeout=30) as http:
        callers = {
            name: GatewayCaller(http, demo_clients[name], source="e2e-isolation")
            for name in [VICTIM, *ATTACKERS]
        }
        ids = {
            name: await fully_prepared(
                caller, PRODUCTION_SITE if name == "production-sp" else examples.KNOWN_GOOD_SITE_ADDRESS
            )
            for name, caller in callers.items()
        }
        before = await snapshot(callers[VICTIM], ids[VICTIM])
        yield Tenants(callers, ids, before)
        for caller in callers.values():
            await caller.cancel_booked()


def without_ids(text: str, ids: Ids) -> str:
    for value in ids.as_text().values():
        text = text.replace(value, "<id>")
    return text


async def attack(caller: GatewayCaller, cell: Cell, victim: Ids, own: Ids) -> httpx.Response:
    return await caller.call(
        cell.method, cell.path(victim), cell.body(victim, own), params=cell.params(victim, own)
    )


@pytest.mark.parametrize("cell", CELLS, ids=[cell.name for cell in CELLS])
@pytest.mark.parametrize("attacker", ATTACKERS)
async def test_another_sps_ids_are_not_found_and_change_nothing(
    tenants: Tenants, attacker: str, cell: Cell
) -> None:
    caller, victim, own = tenants.callers[attacker], tenants.ids[VICTIM], tenants.ids[attacker]

    response = await attack(caller, cell, victim, own)
    status, code = cell.expected
    body = check_error(
        response, status, code, "NOT_FOUND" if status == 404 else "BUSINESS", response.headers["x-trace-id"]
    )

    never_issued = victim.never_issued()
    baseline = await attack(caller, cell, never_issued, own)
    assert (baseline.status_code, baseline.json()["code"]) == (status, code)
    assert without_ids(body["message"], victim) == without_ids(baseline.json()["message"], never_issued)

    assert await snapshot(tenants.callers[VICTIM], victim) == tenants.before
    own_status = await caller.ok("GET", paths.ORDER.format(orderId=own.order_id))
    assert own_status["cdgId"] == own.cdg_id, "the attacker's own order moved to another group"


@pytest.mark.parametrize("attacker", ATTACKERS)
async def test_identity_headers_sent_by_the_caller_are_ignored(tenants: Tenants, attacker: str) -> None:
    caller, victim = tenants.callers[attacker], tenants.ids[VICTIM]
    victim_credential = tenants.callers[VICTIM].credential
    spoofed = {
        "x-sp-id": victim_credential["sp"],
        "x-client-id": victim_credential["client_id"],
        "x-environment": victim_credential["environment"],
        "x-roles": "distributor,merchandising",
    }
    response = await caller.call("GET", paths.ORDER.format(orderId=victim.order_id), headers=spoofed)
    check_error(response, 404, "NOT_FOUND", "NOT_FOUND", response.headers["x-trace-id"])


@pytest.mark.parametrize("attacker", ATTACKERS)
async def test_the_order_list_never_shows_another_sps_orders(tenants: Tenants, attacker: str) -> None:
    caller, victim = tenants.callers[attacker], tenants.ids[VICTIM]
    filtered = await caller.ok("GET", paths.ORDERS, params={"externalOrderId": victim.external_order_id})
    assert victim.order_id not in {order["orderId"] for order in filtered["orders"]}
    newest = await caller.ok("GET", paths.ORDERS, params={"limit": "100"})
    assert victim.order_id not in {order["orderId"] for order in newest["orders"]}


async def test_a_connectors_two_credentials_see_two_disjoint_sets(tenants: Tenants) -> None:
    """One connector, two SPs: the same external reference, each credential sees only its own orders."""
    reference = f"PO-SHARED-{uuid.uuid4().hex[:8]}"
    created: dict[str, set[str]] = {}
    for name in ("connector-sp-a", "connector-sp-b"):
        caller = tenants.callers[name]
        body = copy.deepcopy(examples.CREATE_ORDER) | {"externalOrderId": reference}
        created[name] = {
            (await caller.ok("POST", paths.CREATE_ORDER, body, status=201))["orderId"] for _ in range(2)
        }
    for name, own in created.items():
        listing = await tenants.callers[name].ok("GET", paths.ORDERS, params={"externalOrderId": reference})
        assert {order["orderId"] for order in listing["orders"]} == own
        assert listing["total"] == len(own)
    assert not created["connector-sp-a"] & created["connector-sp-b"]
    a_ids, b_ids = tenants.ids["connector-sp-a"], tenants.ids["connector-sp-b"]
    for caller_name, other in (("connector-sp-a", b_ids), ("connector-sp-b", a_ids)):
        response = await tenants.callers[caller_name].call(
            "POST", paths.ORDER_SUMMARY, {"orderId": other.order_id}
        )
        check_error(response, 404, "NOT_FOUND", "NOT_FOUND", response.headers["x-trace-id"])


# Roles: the OMS credential on every distributor path, every distributor credential on every
# Merchandising path: 403 before anything is validated or forwarded.

ROLE_CELLS = [
    (endpoint, credential)
    for endpoint in ALL_ENDPOINTS
    for credential in (["oms"] if endpoint.role == "distributor" else DISTRIBUTORS)
]


@pytest.mark.parametrize(
    ("endpoint", "credential"),
    ROLE_CELLS,
    ids=[f"{credential}-on-{endpoint.name}" for endpoint, credential in ROLE_CELLS],
)
async def test_a_credential_outside_its_role_gets_403(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any], endpoint: Endpoint, credential: str
) -> None:
    trace = new_trace("e2e-role")
    headers = credential_headers(demo_clients[credential], **{"x-trace-id": trace})
    if endpoint.has_body:
        response = await gateway.request(endpoint.method, endpoint.url(), json={}, headers=headers)
    else:
        response = await gateway.request(endpoint.method, endpoint.url(), headers=headers)
    body = check_error(response, 403, "FORBIDDEN", "AUTHORIZATION", trace)
    assert endpoint.role in body["message"]
