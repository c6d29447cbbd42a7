"""The distributor journey short of booking: create, enrich, group, summarize, submit, status."""

import re
from datetime import datetime
from itertools import pairwise

from shared_contracts.distributor import examples, paths
from shared_contracts.events import AppointmentBooked
from shared_messaging.testing import wait_until
from shared_testing.services import publish_event

from .distributor import DUE, KNOWN_GOOD, START, error_of, new_trace_id, steps_of

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def test_create_enrich_and_summarize(distributor):
    sp = distributor()
    create_trace = new_trace_id()
    response = await sp.call(
        "POST", paths.CREATE_ORDER, examples.CREATE_ORDER, trace_id=create_trace, transaction_id="tx-1"
    )
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "SUCCESS"
    assert order["orderStatus"] == "DRAFT"
    assert order["statusMessage"] == "Order created"
    assert UUID.match(order["orderId"])
    assert UUID.match(order["contractId"])
    (sub_order,) = order["subOrders"]
    assert [
        {key: item[key] for key in ("item", "quantity", "orderItemType")}
        for item in sub_order["subOrderItems"]
    ] == [{"item": "100100068", "quantity": 2, "orderItemType": "EQUIPMENT"}]
    order_id, sub_order_id = order["orderId"], sub_order["subOrderId"]

    summary = (await sp.summary(orderId=order_id)).json()
    assert steps_of(summary) == {
        "INSTALLATION": "PENDING",
        "SHIPPING": "PENDING",
        "BILLING": "PENDING",
        "SERVICE_APPOINTMENT": "PENDING",
    }

    installation_trace = new_trace_id()
    installed = await sp.call(
        "PUT",
        paths.INSTALLATION,
        {
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "installationContacts": [{"firstName": "Ana", "lastName": "Diaz", "phone": "2145550100"}],
            "customerRequestedStartDate": START,
            "customerRequestedDueDate": DUE,
            "premiseNotes": "Gate code 4411",
        },
        trace_id=installation_trace,
    )
    assert installed.status_code == 200, installed.text
    assert installed.json() == {
        "status": "SUCCESS",
        "orderId": order_id,
        "subOrderId": sub_order_id,
        "step": "INSTALLATION",
        "statusMessage": "Installation enrichment saved",
    }
    shipped = await sp.ship(order_id, sub_order_id)
    assert (shipped.status_code, shipped.json()["step"]) == (200, "SHIPPING")
    billed = await sp.bill(order)
    assert billed.status_code == 200
    billing = billed.json()
    assert billing["status"] == "SUCCESS"
    assert billing["billingAccountName"] == "Acme Dental HQ"
    assert re.fullmatch(r"INV-[0-9A-F]{12}", billing["billingAccountInvoiceNumber"])
    again = await sp.bill(order, billingAccountName="Acme Dental East")
    assert again.json()["billingAccountInvoiceNumber"] == billing["billingAccountInvoiceNumber"]
    given = await sp.bill(order, invoiceNumber="INV-OWN-1")
    assert given.json()["billingAccountInvoiceNumber"] == "INV-OWN-1"

    grouped = await sp.group([order_id], name="Acme Q4 rollout")
    assert grouped.status_code == 200
    cdg = grouped.json()
    assert (cdg["cdgName"], cdg["orderIds"]) == ("Acme Q4 rollout", [order_id])

    summary_response = await sp.summary(orderId=order_id)
    assert summary_response.status_code == 200
    summary = summary_response.json()
    assert summary["status"] == "SUCCESS"
    (view,) = summary["orders"]
    assert (view["orderId"], view["cdgId"], view["orderStatus"], view["quoteId"]) == (
        order_id,
        cdg["cdgId"],
        "DRAFT",
        "Q-100234",
    )
    assert view["source"] == "integration-test"
    assert view["customerName"] == "Acme Dental"
    assert steps_of(summary) == {
        "INSTALLATION": "COMPLETE",
        "SHIPPING": "COMPLETE",
        "BILLING": "COMPLETE",
        "SERVICE_APPOINTMENT": "PENDING",
    }
    sub_order_view = view["subOrders"][0]
    installation_step = sub_order_view["steps"][0]
    assert installation_step["traceId"] == installation_trace
    assert installation_step["completedAt"]
    assert sub_order_view["installation"]["siteAddress"] == {**KNOWN_GOOD, "zip": None}
    assert sub_order_view["installation"]["customerRequestedStartDate"] == START
    assert sub_order_view["shipping"]["shippingAddress"]["zip"] == "95350-1232"
    assert sub_order_view["billing"]["billingAccountName"] == "Acme Dental HQ"
    assert sub_order_view["billing"]["billingAccountInvoiceNumber"] == "INV-OWN-1"
    assert sub_order_view["billing"]["orderedItems"][0]["unitPrice"] == 12.99
    assert sub_order_view["appointment"] is None
    assert sub_order_view["fulfillment"] is None
    (created,) = view["statusHistory"]
    assert (created["fromStatus"], created["status"], created["traceId"]) == (None, "DRAFT", create_trace)
    assert created["changedAt"]

    by_cdg = (await sp.summary(cdgId=cdg["cdgId"])).json()
    assert by_cdg["cdgId"] == cdg["cdgId"]
    assert [order["orderId"] for order in by_cdg["orders"]] == [order_id]


async def test_submit_checks_every_step_in_order_then_succeeds_once_the_appointment_is_booked(
    distributor, kafka_bootstrap
):
    sp = distributor()
    order = await sp.create_order(sub_orders=2)
    order_id = order["orderId"]
    first, second = (sub_order["subOrderId"] for sub_order in order["subOrders"])

    async def refusal() -> tuple[int, str, str, str]:
        return error_of(await sp.submit(orderId=order_id))

    assert await refusal() == (
        409,
        "STEP_INCOMPLETE",
        "BUSINESS",
        "Previous Step (Installation) is not complete.",
    )
    await sp.install(order_id, first)
    await sp.install(order_id, second)
    assert (await refusal())[3] == "Previous Step (Shipping) is not complete."
    await sp.ship(order_id, first)
    await sp.ship(order_id, second)
    assert (await refusal())[3] == "Previous Step (Billing) is not complete."
    await sp.bill(order, 0)
    refused = await sp.submit(orderId=order_id)
    assert refused.json()["message"] == "Previous Step (Billing) is not complete."
    assert refused.json()["businessError"] == [
        f"subOrderId {second}: Previous Step (Billing) is not complete."
    ]
    await sp.bill(order, 1)
    assert await refusal() == (
        409,
        "STEP_INCOMPLETE",
        "BUSINESS",
        "Previous Step (Service Appointment) is not complete.",
    )

    for sub_order_id in (first, second):
        await publish_event(kafka_bootstrap, _booked(order_id, sub_order_id), source_service="appointment")

    async def booked_in_summary() -> bool:
        summary = (await sp.summary(orderId=order_id)).json()
        return all(steps_of(summary, 0, index)["SERVICE_APPOINTMENT"] == "COMPLETE" for index in (0, 1))

    await wait_until(booked_in_summary, seconds=30, message="appointments in the read model")
    submit_trace = new_trace_id()
    submitted = await sp.submit(orderId=order_id, trace_id=submit_trace)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json() == {
        "status": "SUCCESS",
        "orderId": order_id,
        "orderIds": [order_id],
        "orderStatus": "SUBMITTED",
    }
    summary = (await sp.summary(orderId=order_id)).json()
    (view,) = summary["orders"]
    assert view["orderStatus"] == "SUBMITTED"
    assert view["subOrders"][0]["appointment"]["startDate"] == "2030-01-07 08:00:00.000"
    assert [(entry["status"], entry["traceId"]) for entry in view["statusHistory"]][-1] == (
        "SUBMITTED",
        submit_trace,
    )
    status = (await sp.call("GET", paths.ORDER.format(orderId=order_id))).json()
    assert (status["status"], status["orderStatus"]) == ("SUCCESS", "SUBMITTED")

    again = await sp.submit(orderId=order_id)
    assert error_of(again)[:2] == (409, "ORDER_NOT_OPEN")


async def test_a_submitted_order_refuses_every_enrichment(distributor, fake_appointments):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, sub_order_id)
    assert (await sp.submit(orderId=order_id)).status_code == 200

    for response in (
        await sp.install(order_id, sub_order_id),
        await sp.ship(order_id, sub_order_id),
        await sp.bill(order),
        await sp.group([order_id]),
    ):
        status, code, category, message = error_of(response)
        assert (status, code, category) == (409, "ORDER_NOT_OPEN", "BUSINESS")
        assert message == f"Order {order_id} is SUBMITTED; it can no longer be changed."


async def test_submit_right_after_booking_asks_the_appointment_service(distributor, fake_appointments):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.enrich_all(order)
    refused = await sp.submit(orderId=order_id)
    assert refused.json()["message"] == "Previous Step (Service Appointment) is not complete."
    asked = [request for request in fake_appointments.requests if request["subOrderId"] == sub_order_id]
    assert asked
    assert asked[-1]["x-sp-id"] == sp.sp_id

    fake_appointments.confirm(order_id, sub_order_id, appointment_id=f"apt-direct-{sub_order_id}")
    submitted = await sp.submit(orderId=order_id)
    assert submitted.status_code == 200, submitted.text
    view = (await sp.summary(orderId=order_id)).json()["orders"][0]
    assert view["subOrders"][0]["appointment"]["appointmentId"] == f"apt-direct-{sub_order_id}"


async def test_summary_right_after_booking_shows_the_appointment(distributor, fake_appointments):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.install(order_id, sub_order_id)
    fake_appointments.confirm(order_id, sub_order_id, appointment_id=f"apt-summary-{sub_order_id}")
    summary = (await sp.summary(orderId=order_id)).json()
    assert steps_of(summary)["SERVICE_APPOINTMENT"] == "COMPLETE"
    assert (
        summary["orders"][0]["subOrders"][0]["appointment"]["appointmentId"] == f"apt-summary-{sub_order_id}"
    )


async def test_an_unreachable_appointment_service_is_503_not_an_incomplete_step(
    distributor, unreachable_appointments
):
    sp = distributor()
    order = await sp.create_order()
    await sp.enrich_all(order)
    async with unreachable_appointments():
        response = await sp.submit(orderId=order["orderId"])
        assert error_of(response)[:3] == (503, "UNAVAILABLE", "UNAVAILABLE")
        summary = await sp.summary(orderId=order["orderId"])
        assert summary.status_code == 200
        assert steps_of(summary.json())["SERVICE_APPOINTMENT"] == "PENDING"
    status = (await sp.call("GET", paths.ORDER.format(orderId=order["orderId"]))).json()
    assert status["orderStatus"] == "DRAFT"


async def test_a_cdg_submits_all_its_orders_or_none(distributor, fake_appointments):
    sp = distributor()
    complete, incomplete = await sp.create_order(), await sp.create_order()
    for order in (complete, incomplete):
        await sp.enrich_all(order)
        fake_appointments.confirm(order["orderId"], order["subOrders"][0]["subOrderId"])
    cdg = (await sp.group([complete["orderId"]])).json()
    added = await sp.group([incomplete["orderId"]], cdg_id=cdg["cdgId"])
    assert added.json()["orderIds"] == [complete["orderId"], incomplete["orderId"]]
    fake_appointments.appointments.pop(incomplete["subOrders"][0]["subOrderId"])

    refused = await sp.submit(cdgId=cdg["cdgId"])
    assert error_of(refused)[3] == "Previous Step (Service Appointment) is not complete."
    for order in (complete, incomplete):
        status = (await sp.call("GET", paths.ORDER.format(orderId=order["orderId"]))).json()
        assert status["orderStatus"] == "DRAFT"

    fake_appointments.confirm(incomplete["orderId"], incomplete["subOrders"][0]["subOrderId"])
    submitted = await sp.submit(cdgId=cdg["cdgId"])
    assert submitted.status_code == 200, submitted.text
    assert submitted.json() == {
        "status": "SUCCESS",
        "cdgId": cdg["cdgId"],
        "orderIds": sorted([complete["orderId"], incomplete["orderId"]]),
        "orderStatus": "SUBMITTED",
    }
    summary = (await sp.summary(cdgId=cdg["cdgId"])).json()
    assert {order["orderStatus"] for order in summary["orders"]} == {"SUBMITTED"}


async def test_orders_are_listed_newest_first_with_paging_and_filters(distributor):
    sp = distributor()
    created = [await sp.create_order(externalOrderId=f"PO-{index}") for index in range(3)]
    page = (await sp.call("GET", paths.ORDERS, params={"limit": 2})).json()
    assert (page["status"], page["offset"], page["limit"], page["total"]) == ("SUCCESS", 0, 2, 3)
    assert [order["orderId"] for order in page["orders"]] == [created[2]["orderId"], created[1]["orderId"]]
    rest = (await sp.call("GET", paths.ORDERS, params={"offset": 2, "limit": 2})).json()
    assert [order["orderId"] for order in rest["orders"]] == [created[0]["orderId"]]
    filtered = (await sp.call("GET", paths.ORDERS, params={"externalOrderId": "PO-1"})).json()
    assert [order["orderId"] for order in filtered["orders"]] == [created[1]["orderId"]]
    assert filtered["orders"][0]["externalOrderId"] == "PO-1"
    assert (await sp.call("GET", paths.ORDERS, params={"status": "SUBMITTED"})).json()["total"] == 0
    assert (await sp.call("GET", paths.ORDERS, params={"status": "DRAFT"})).json()["total"] == 3
    single = (await sp.call("GET", paths.ORDER.format(orderId=created[0]["orderId"]))).json()
    assert single["subOrders"] == [
        {
            "subOrderId": created[0]["subOrders"][0]["subOrderId"],
            "confirmationType": None,
            "confirmationNo": None,
        }
    ]


def _booked(order_id: str, sub_order_id: str) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_id=f"apt-{sub_order_id[:8]}",
        order_id=order_id,
        sub_order_id=sub_order_id,
        start_date=datetime(2030, 1, 7, 8),
        end_date=datetime(2030, 1, 7, 12),
    )


async def test_every_enrichment_moves_the_orders_updated_at(distributor):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]

    async def updated_at() -> datetime:
        response = await sp.call("GET", paths.ORDER.format(orderId=order_id))
        assert response.status_code == 200, response.text
        return datetime.fromisoformat(response.json()["updatedAt"])

    seen = [await updated_at()]
    for enrich in (
        lambda: sp.install(order_id, sub_order_id),
        lambda: sp.ship(order_id, sub_order_id),
        lambda: sp.bill(order),
    ):
        response = await enrich()
        assert response.status_code == 200, response.text
        seen.append(await updated_at())
    assert all(earlier < later for earlier, later in pairwise(seen)), seen
