"""Events on orders.order.v1 (CloudEvents headers, the request's trace), and the events consumed."""

import asyncio
import uuid
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from shared_contracts.distributor import examples, paths
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import AppointmentBooked, AppointmentCancelled, FulfillmentOrderCreated
from shared_contracts.events.fulfillment import ConfirmedLine
from shared_contracts.messages import OutgoingRecord, meta_for
from shared_messaging.testing import wait_until
from shared_testing.services import publish_event

from .distributor import KNOWN_GOOD, new_trace_id, steps_of
from .order_events import header, value


async def test_order_events_carry_cloudevents_headers_and_the_requests_trace(
    distributor, fake_appointments, order_events
):
    sp = distributor()
    create_trace, submit_trace = new_trace_id(), new_trace_id()
    response = await sp.call(
        "POST", paths.CREATE_ORDER, examples.CREATE_ORDER, trace_id=create_trace, transaction_id="tx-9"
    )
    order = response.json()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, sub_order_id)
    assert (await sp.submit(orderId=order_id, trace_id=submit_trace)).status_code == 200

    await order_events.wait_for(lambda watcher: len(watcher.of_order(order_id)) >= 6)
    types = [header(record, "ce_type") for record in order_events.of_order(order_id)]
    assert types == [
        "OrderCreated",
        "OrderEnriched",
        "OrderEnriched",
        "OrderEnriched",
        "OrderSubmitted",
        "OrderStatusChanged",
    ]
    (created,) = order_events.of_order(order_id, "OrderCreated")
    meta = CloudEventMeta.from_headers(created.headers)
    assert (meta.source, meta.subject, meta.x_trace_id, meta.transaction_id) == (
        "/services/enrichment",
        order_id,
        create_trace,
        "tx-9",
    )
    assert header(created, "ce_specversion") == "1.0"
    assert header(created, "content-type") == "application/json"
    assert header(created, "traceparent")
    created_data = value(created)
    assert (created_data["orderId"], created_data["spId"], created_data["quoteId"]) == (
        order_id,
        sp.sp_id,
        "Q-100234",
    )
    assert created_data["environment"] == "sandbox"
    assert created_data["subOrders"][0]["subOrderId"] == sub_order_id
    assert created_data["subOrders"][0]["siteAddress"] == KNOWN_GOOD
    assert created_data["subOrders"][0]["items"][0]["item"] == "100100068"

    installation = value(order_events.of_order(order_id, "OrderEnriched")[0])
    assert (installation["step"], installation["subOrderId"]) == ("INSTALLATION", sub_order_id)
    assert installation["siteAddress"] == KNOWN_GOOD
    assert installation["customerRequestedStartDate"]

    (submitted,) = order_events.of_order(order_id, "OrderSubmitted")
    assert header(submitted, "x-trace-id") == submit_trace
    data = value(submitted)
    assert data["spId"] == sp.sp_id
    assert data["customer"]["name"] == "Acme Dental"
    (submitted_sub_order,) = data["subOrders"]
    assert submitted_sub_order["shippingAddress"]["zip"] == "95350-1232"
    assert submitted_sub_order["appointment"]["startDate"] == "2030-01-07T08:00:00"
    assert (
        submitted_sub_order["items"][0]["orderItemId"]
        == order["subOrders"][0]["subOrderItems"][0]["orderItemId"]
    )
    (changed,) = order_events.of_order(order_id, "OrderStatusChanged")
    assert value(changed) == {
        "orderId": order_id,
        "from": "DRAFT",
        "to": "SUBMITTED",
        "reason": "Order submitted",
    }


async def test_without_customer_data_the_order_keeps_none_and_order_submitted_omits_it(
    distributor, fake_appointments, order_events, without_customer_data
):
    sp = distributor()
    order = await sp.create_order()
    order_id = order["orderId"]
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, order["subOrders"][0]["subOrderId"])
    assert (await sp.submit(orderId=order_id)).status_code == 200
    assert (await sp.summary(orderId=order_id)).json()["orders"][0]["customerName"] is None
    await order_events.wait_for(lambda watcher: bool(watcher.of_order(order_id, "OrderSubmitted")))
    (submitted,) = order_events.of_order(order_id, "OrderSubmitted")
    assert value(submitted).get("customer") is None


async def test_fulfillment_outcomes_move_the_status_and_a_redelivery_changes_nothing(
    distributor, fake_appointments, order_events, kafka_bootstrap
):
    sp = distributor()
    order = await sp.create_order(sub_orders=2)
    order_id = order["orderId"]
    first, second = (sub_order["subOrderId"] for sub_order in order["subOrders"])
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, first)
    fake_appointments.confirm(order_id, second)
    assert (await sp.submit(orderId=order_id)).status_code == 200

    fulfillment_trace = new_trace_id()
    await publish_event(kafka_bootstrap, _fulfilled(order_id, first, "C", 9001), x_trace_id=fulfillment_trace)
    second_outcome = _fulfilled(order_id, second, "R", None)
    second_meta = meta_for(second_outcome, "fulfillment", x_trace_id=fulfillment_trace)
    await _publish(kafka_bootstrap, second_outcome, second_meta)

    async def status() -> str:
        view = (await sp.summary(orderId=order_id)).json()["orders"][0]
        return str(view["orderStatus"])

    await wait_until(lambda: _equals(status(), "CONFIRMED"), seconds=30, message="order CONFIRMED")
    view = (await sp.summary(orderId=order_id)).json()["orders"][0]
    assert view["subOrders"][0]["fulfillment"]["confirmationType"] == "C"
    assert view["subOrders"][0]["fulfillment"]["confirmationNo"] == 9001
    assert view["subOrders"][1]["fulfillment"]["confirmationType"] == "R"
    confirmed = view["statusHistory"][-1]
    assert (confirmed["fromStatus"], confirmed["status"], confirmed["traceId"]) == (
        "SUBMITTED",
        "CONFIRMED",
        fulfillment_trace,
    )

    await _publish(kafka_bootstrap, second_outcome, second_meta)  # the same event (same ce_id) again
    await publish_event(kafka_bootstrap, _fulfilled(order_id, first, "C", 9002))  # then a new one behind it

    async def newer_outcome_applied() -> bool:
        view = (await sp.summary(orderId=order_id)).json()["orders"][0]
        return bool(view["subOrders"][0]["fulfillment"]["confirmationNo"] == 9002)

    await wait_until(newer_outcome_applied, seconds=30, message="the later outcome")
    view = (await sp.summary(orderId=order_id)).json()["orders"][0]
    assert [entry["status"] for entry in view["statusHistory"]] == ["DRAFT", "SUBMITTED", "CONFIRMED"]
    await order_events.wait_for(
        lambda watcher: len(watcher.of_order(order_id, "OrderStatusChanged")) >= 2, settle=1
    )
    changes = [value(record) for record in order_events.of_order(order_id, "OrderStatusChanged")]
    assert [(change["from"], change["to"]) for change in changes] == [
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "CONFIRMED"),
    ]
    (moved,) = [
        record
        for record in order_events.of_order(order_id, "OrderStatusChanged")
        if value(record)["to"] == "CONFIRMED"
    ]
    assert header(moved, "x-trace-id") == fulfillment_trace

    await publish_event(kafka_bootstrap, _fulfilled(order_id, second, "X", None))
    await wait_until(
        lambda: _equals(status(), "PARTIALLY_CONFIRMED"), seconds=30, message="PARTIALLY_CONFIRMED"
    )


async def test_all_sub_orders_backordered_is_backordered(distributor, fake_appointments, kafka_bootstrap):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await sp.enrich_all(order)
    fake_appointments.confirm(order_id, sub_order_id)
    assert (await sp.submit(orderId=order_id)).status_code == 200
    await publish_event(kafka_bootstrap, _fulfilled(order_id, sub_order_id, "X", None))

    async def backordered() -> bool:
        return bool((await sp.summary(orderId=order_id)).json()["orders"][0]["orderStatus"] == "BACKORDERED")

    await wait_until(backordered, seconds=30, message="order BACKORDERED")


async def test_outcomes_naming_no_sub_order_of_ours_are_ignored_and_drafts_do_not_move(
    kafka_bootstrap, distributor
):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    await publish_event(kafka_bootstrap, _fulfilled(order_id, str(uuid.uuid4()), "C", 1))
    await publish_event(kafka_bootstrap, _fulfilled(order_id, sub_order_id, "C", 2))  # same key: behind it

    async def recorded() -> dict[str, Any] | None:
        view = (await sp.summary(orderId=order_id)).json()["orders"][0]
        return view if view["subOrders"][0]["fulfillment"] else None

    view = await wait_until(recorded, seconds=30, message="the outcome of our sub-order")
    assert view["subOrders"][0]["fulfillment"]["confirmationNo"] == 2
    assert view["orderStatus"] == "DRAFT"
    assert [entry["status"] for entry in view["statusHistory"]] == ["DRAFT"]


async def test_a_cancelled_appointment_makes_the_step_pending_again(distributor, kafka_bootstrap):
    sp = distributor()
    order = await sp.create_order()
    order_id, sub_order_id = order["orderId"], order["subOrders"][0]["subOrderId"]
    booked = AppointmentBooked(
        appointment_id=f"apt-{uuid.uuid4().hex[:8]}",
        order_id=order_id,
        sub_order_id=sub_order_id,
        start_date=datetime(2030, 1, 8, 8),
        end_date=datetime(2030, 1, 8, 12),
    )
    await publish_event(kafka_bootstrap, booked, source_service="appointment")

    async def appointment_step() -> str:
        return steps_of((await sp.summary(orderId=order_id)).json())["SERVICE_APPOINTMENT"]

    await wait_until(lambda: _equals(appointment_step(), "COMPLETE"), seconds=30, message="booked")
    summary = (await sp.summary(orderId=order_id)).json()
    assert summary["orders"][0]["subOrders"][0]["appointment"]["startDate"] == "2030-01-08 08:00:00.000"
    cancelled = AppointmentCancelled.model_validate(booked.model_dump())
    await publish_event(kafka_bootstrap, cancelled, source_service="appointment")
    await wait_until(lambda: _equals(appointment_step(), "PENDING"), seconds=30, message="cancelled")
    appointment = (await sp.summary(orderId=order_id)).json()["orders"][0]["subOrders"][0]["appointment"]
    assert appointment["status"] == "CANCELLED"


async def _equals(observed, expected: str) -> bool:
    return bool(await observed == expected)


def _fulfilled(
    order_id: str, sub_order_id: str, confirmation: str, number: int | None
) -> FulfillmentOrderCreated:
    return FulfillmentOrderCreated(
        customer_order_no=order_id,
        fulfill_order_no=sub_order_id,
        confirmation_type=confirmation,
        confirmation_no=number,
        fulfill_location=6000,
        details=[
            ConfirmedLine(item="100100068", confirmed_quantity=2, confirmed_quantity_uom="EA", item_line_no=1)
        ],
    )


async def _publish(bootstrap: str, event: FulfillmentOrderCreated, meta: CloudEventMeta) -> None:
    """Publish with given metadata (so the very same event can be delivered twice)."""
    record = OutgoingRecord.of(event, meta)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await asyncio.wait_for(producer.start(), 15)
    try:
        await asyncio.wait_for(
            producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers), 15
        )
    finally:
        await asyncio.wait_for(producer.stop(), 15)
