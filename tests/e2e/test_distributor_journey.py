"""The whole distributor journey through the gateway, on the real processes: create, installation,
shipping, billing, appointment dates, booking, summary, submit; the submit gate without a booking;
and book-then-submit with no pause, 50 orders in a row.

Appointments booked here are cancelled at the end, so the demo capacity the test borrowed is given
back (the database is shared with other runs)."""

import random
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import httpx
import pytest_asyncio

from shared_contracts.distributor import examples, paths
from shared_testing.gateway_calls import GatewayCaller, sub_order_id_of

SANDBOX_SITE = dict(examples.KNOWN_GOOD_SITE_ADDRESS)
PRODUCTION_SITES = [  # the demo production addresses (services/appointment/README.md)
    {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"},
    {"street": "901 BAGBY ST", "city": "HOUSTON", "state": "TX", "postalCode": "77002"},
    {"street": "1100 CONGRESS AVE", "city": "AUSTIN", "state": "TX", "postalCode": "78701"},
    {"street": "233 S WACKER DR", "city": "CHICAGO", "state": "IL", "postalCode": "60606"},
]
SLOT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
SERVICE_APPOINTMENT_INCOMPLETE = "Previous Step (Service Appointment) is not complete."


@pytest_asyncio.fixture(loop_scope="session")
async def distributors(
    gateway: httpx.AsyncClient, demo_clients: dict[str, Any]
) -> AsyncIterator[dict[str, GatewayCaller]]:
    """`sandbox-sp` and `production-sp`; every appointment they booked is cancelled afterwards."""
    made = {
        name: GatewayCaller(gateway, demo_clients[name], source="e2e-distributor-journey")
        for name in ("sandbox-sp", "production-sp")
    }
    yield made
    for distributor in made.values():
        await distributor.cancel_booked()


def check_offered(windows: list[dict[str, Any]], start: date, due: date) -> None:
    """API.md: windows between the requested dates, working days only, with capacity left."""
    assert windows, "no appointment window offered"
    for window in windows:
        assert set(window) == {"startDate", "endDate", "availableSlots"}
        begins = datetime.strptime(window["startDate"], SLOT_FORMAT)
        ends = datetime.strptime(window["endDate"], SLOT_FORMAT)
        assert window["startDate"].endswith(".000")
        assert window["endDate"].endswith(".000")
        assert start <= begins.date() <= due
        assert begins.weekday() < 5
        assert ends > begins
        assert window["availableSlots"] >= 1


async def test_the_complete_journey_then_the_submit_gate_then_50_book_then_submit(
    distributors: dict[str, GatewayCaller],
) -> None:
    sandbox, production = distributors["sandbox-sp"], distributors["production-sp"]

    # 1. The complete journey (sandbox credential, the known-good address), no pause anywhere.
    order, start, due = await sandbox.enriched_order(SANDBOX_SITE)
    order_id, sub_order_id = order["orderId"], sub_order_id_of(order)
    offered = await sandbox.dates(order_id, sub_order_id)
    assert offered.status_code == 200, offered.text
    listing = offered.json()
    assert (listing["orderId"], listing["subOrderId"]) == (order_id, sub_order_id)
    check_offered(listing["appointmentDates"], start, due)
    window = random.choice(listing["appointmentDates"])

    other_tenant = await production.dates(order_id, sub_order_id)
    assert (other_tenant.status_code, other_tenant.json()["code"]) == (404, "NOT_FOUND")

    booked = await sandbox.book(order_id, sub_order_id, window)
    assert booked == {
        "appointmentId": booked["appointmentId"],
        "status": "CONFIRMED",
        "startDate": window["startDate"],
        "endDate": window["endDate"],
    }
    summary = await sandbox.ok("POST", paths.ORDER_SUMMARY, {"orderId": order_id})
    (summarized,) = summary["orders"][0]["subOrders"]
    assert {step["step"]: step["status"] for step in summarized["steps"]} == {
        "INSTALLATION": "COMPLETE",
        "SHIPPING": "COMPLETE",
        "BILLING": "COMPLETE",
        "SERVICE_APPOINTMENT": "COMPLETE",
    }
    assert summarized["appointment"] == booked
    submitted = await sandbox.ok("POST", paths.SUBMIT, {"orderId": order_id})
    assert (submitted["status"], submitted["orderId"], submitted["orderStatus"]) == (
        "SUCCESS",
        order_id,
        "SUBMITTED",
    )

    # 2. Every step but the appointment: submit is refused with the FAQ's message.
    unbooked, _, _ = await sandbox.enriched_order(SANDBOX_SITE)
    refused = await sandbox.call("POST", paths.SUBMIT, {"orderId": unbooked["orderId"]})
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["message"]) == (
        "STEP_INCOMPLETE",
        SERVICE_APPOINTMENT_INCOMPLETE,
    )

    # 3. Book, then submit at once: 50 orders in a row, both environments, every demo territory.
    for index in range(50):
        distributor = sandbox if index % 2 == 0 else production
        site = (
            SANDBOX_SITE if distributor is sandbox else PRODUCTION_SITES[index // 2 % len(PRODUCTION_SITES)]
        )
        order, start, due = await distributor.enriched_order(site)
        order_id, sub_order_id = order["orderId"], sub_order_id_of(order)
        offered = await distributor.dates(order_id, sub_order_id)
        assert offered.status_code == 200, f"order {index}: {offered.text}"
        check_offered(offered.json()["appointmentDates"], start, due)
        await distributor.book(order_id, sub_order_id, random.choice(offered.json()["appointmentDates"]))
        submit = await distributor.call("POST", paths.SUBMIT, {"orderId": order_id})
        assert submit.status_code == 200, f"order {index} ({site['city']}): {submit.text}"
        assert submit.json()["orderStatus"] == "SUBMITTED"
