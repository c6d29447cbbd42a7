"""Get dates, book, move and cancel through the service's HTTP API; events through the outbox."""

import json
from datetime import date, timedelta

from appointment.domain.windows import Window, slot_text
from shared_contracts.distributor import paths
from shared_contracts.envelope import CloudEventMeta


def text(window: Window) -> dict[str, str]:
    return {"startDate": slot_text(window.start), "endDate": slot_text(window.end)}


async def test_dates_are_the_working_day_windows_between_the_requested_dates_with_capacity_left(
    harness,
) -> None:
    days = harness.fresh_days(3)
    windows = await harness.open_windows(days, capacity=4)
    caller = harness.new_caller()
    full_holder = await harness.seed_sub_order(caller, requested=(days[0], days[-1]))
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[1]))
    await harness.pool.execute(
        "UPDATE slots SET booked = capacity WHERE slot_id = $1", (await harness.slot(windows[1]))["slot_id"]
    )
    assert (await harness.book(caller, *full_holder, windows[0])).status_code == 201

    response = await harness.dates(caller, order_id, sub_order_id)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert (body["orderId"], body["subOrderId"]) == (order_id, sub_order_id)
    # days[2] is after the due date; windows[1] is full; windows[0] has one place taken.
    assert body["appointmentDates"] == [
        {**text(windows[0]), "availableSlots": 3},
        {**text(windows[2]), "availableSlots": 4},
        {**text(windows[3]), "availableSlots": 4},
    ]
    assert all(date.fromisoformat(w["startDate"][:10]).weekday() < 5 for w in body["appointmentDates"])


async def test_weekends_between_the_requested_dates_offer_nothing(harness) -> None:
    friday = next(day for day in harness.fresh_days(5) if day.weekday() == 4)
    saturday, sunday = friday + timedelta(days=1), friday + timedelta(days=2)
    await harness.open_windows([friday], capacity=2)
    caller = harness.new_caller()
    ids = await harness.seed_sub_order(caller, requested=(saturday, sunday))
    response = await harness.dates(caller, *ids)
    assert response.status_code == 200
    assert response.json()["appointmentDates"] == []


async def test_dates_before_installation_fail_with_the_previous_step_message(harness) -> None:
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=None)
    for response in (
        await harness.dates(caller, order_id, sub_order_id),
        await harness.book(
            caller, order_id, sub_order_id, (await harness.open_windows(harness.fresh_days(1), 1))[0]
        ),
    ):
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["category"], body["message"]) == (
            "STEP_INCOMPLETE",
            "BUSINESS",
            "Previous Step (Installation) is not complete.",
        )
        assert body["traceId"] == response.request.headers["x-trace-id"]


async def test_book_confirms_and_the_internal_lookup_sees_it_at_once(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=2)
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[0]))

    response = await harness.book(caller, order_id, sub_order_id, morning)

    assert response.status_code == 201, response.text
    booked = response.json()
    assert set(booked) == {"appointmentId", "status", "startDate", "endDate"}
    assert booked["status"] == "CONFIRMED"
    assert {"startDate": booked["startDate"], "endDate": booked["endDate"]} == text(morning)
    assert (await harness.slot(morning))["booked"] == 1
    lookup = await harness.confirmed(caller, sub_order_id)
    assert lookup.status_code == 200
    assert lookup.json() == {**booked, "orderId": order_id, "subOrderId": sub_order_id}
    stored = await harness.pool.fetchval(
        "SELECT status FROM appointments WHERE appointment_id = $1", booked["appointmentId"]
    )
    assert stored == "confirmed"  # TMF646 state


async def test_booking_the_same_window_again_answers_the_same_appointment(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=2)
    caller = harness.new_caller()
    ids = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    first = (await harness.book(caller, *ids, morning)).json()
    again = await harness.book(caller, *ids, morning)
    assert again.status_code == 201
    assert again.json() == first
    assert (await harness.slot(morning))["booked"] == 1


async def test_booking_another_window_moves_the_appointment_and_releases_the_old_window(
    harness, appointment_events
) -> None:
    days = harness.fresh_days(1)
    morning, afternoon = await harness.open_windows(days, capacity=2)
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    first = (await harness.book(caller, order_id, sub_order_id, morning, transaction_id="tx-first")).json()

    moved = await harness.book(caller, order_id, sub_order_id, afternoon, transaction_id="tx-move")

    assert moved.status_code == 201
    second = moved.json()
    assert second["appointmentId"] != first["appointmentId"]
    assert ((await harness.slot(morning))["booked"], (await harness.slot(afternoon))["booked"]) == (0, 1)
    assert (await harness.confirmed(caller, sub_order_id)).json()["appointmentId"] == second["appointmentId"]
    cancelled = await harness.cancel(caller, second["appointmentId"])
    assert cancelled.status_code == 200

    records = await appointment_events.wait_for_order(order_id, 4)
    events = [(CloudEventMeta.from_headers(r.headers), json.loads(r.value)) for r in records]
    assert [(meta.type, data["appointmentId"]) for meta, data in events] == [
        ("AppointmentBooked", first["appointmentId"]),
        ("AppointmentCancelled", first["appointmentId"]),
        ("AppointmentBooked", second["appointmentId"]),
        ("AppointmentCancelled", second["appointmentId"]),
    ]
    assert [meta.transaction_id for meta, _ in events[:3]] == ["tx-first", "tx-move", "tx-move"]
    assert all(meta.source == "/services/appointment" and meta.subject == order_id for meta, _ in events)
    assert all(meta.x_trace_id for meta, _ in events)
    booked_data = events[2][1]
    assert (booked_data["orderId"], booked_data["subOrderId"]) == (order_id, sub_order_id)
    assert booked_data["startDate"] == afternoon.start.isoformat()


async def test_a_window_not_offered_is_refused_with_another_window_suggested(harness) -> None:
    days = harness.fresh_days(2)
    morning, afternoon, next_morning, _ = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller()
    ids = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    other = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    assert (await harness.book(caller, *other, morning)).status_code == 201
    unknown_shape = Window(morning.start, afternoon.end)

    for window in (morning, next_morning, unknown_shape):  # full, outside the dates, not a window
        response = await harness.book(caller, *ids, window)
        assert response.status_code == 409, response.text
        body = response.json()
        assert (body["code"], body["category"]) == ("SLOT_UNAVAILABLE", "BUSINESS")
        assert f"Try {slot_text(afternoon.start)} - {slot_text(afternoon.end)}" in body["message"]


async def test_with_no_window_left_the_refusal_suggests_shifting_the_dates(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=0)
    caller = harness.new_caller()
    ids = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    response = await harness.book(caller, *ids, morning)
    assert response.status_code == 409
    assert "shift the requested dates" in response.json()["message"]


async def test_an_end_before_the_start_is_a_validation_error(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    body = {"orderId": order_id, "subOrderId": sub_order_id, "startDate": slot_text(morning.end)}
    response = await harness.http.post(
        paths.APPOINTMENT, json={**body, "endDate": slot_text(morning.start)}, headers=caller.headers()
    )
    assert response.status_code == 400
    assert response.json()["validationErrors"][0]["field"] == "endDate"
    wrong_format = await harness.http.post(
        paths.APPOINTMENT, json={**body, "endDate": "2030-01-07T12:00:00"}, headers=caller.headers()
    )
    assert (wrong_format.status_code, wrong_format.json()["code"]) == (400, "VALIDATION_FAILED")


async def test_cancel_releases_the_window_and_repeating_it_changes_nothing(
    harness, appointment_events
) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    booked = (await harness.book(caller, order_id, sub_order_id, morning)).json()

    cancelled = await harness.cancel(caller, booked["appointmentId"])

    assert cancelled.status_code == 200
    assert cancelled.json() == {**booked, "status": "CANCELLED"}
    assert (await harness.slot(morning))["booked"] == 0
    assert (await harness.confirmed(caller, sub_order_id)).status_code == 404
    again = await harness.cancel(caller, booked["appointmentId"])
    assert (again.status_code, again.json()) == (200, cancelled.json())
    assert (await harness.slot(morning))["booked"] == 0
    stored = await harness.pool.fetchval(
        "SELECT status FROM appointments WHERE appointment_id = $1", booked["appointmentId"]
    )
    assert stored == "cancelled"
    records = await appointment_events.wait_for_order(order_id, 2)
    assert [CloudEventMeta.from_headers(r.headers).type for r in records] == [
        "AppointmentBooked",
        "AppointmentCancelled",
    ]
    rebooked = await harness.book(caller, order_id, sub_order_id, morning)  # the place is free again
    assert rebooked.status_code == 201


async def test_a_completed_appointment_cannot_be_cancelled(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller()
    ids = await harness.seed_sub_order(caller, requested=(days[0], days[0]))
    booked = (await harness.book(caller, *ids, morning)).json()
    await harness.pool.execute(
        "UPDATE appointments SET status = 'completed' WHERE appointment_id = $1", booked["appointmentId"]
    )
    response = await harness.cancel(caller, booked["appointmentId"])
    assert (response.status_code, response.json()["code"]) == (409, "APPOINTMENT_NOT_CANCELLABLE")
    assert (await harness.slot(morning))["booked"] == 1


async def test_unknown_appointment_and_sub_order_are_not_found(harness) -> None:
    caller = harness.new_caller()
    assert (await harness.cancel(caller, "no-such-appointment")).status_code == 404
    assert (await harness.dates(caller, "no-such-order", "no-such-sub-order")).status_code == 404
    assert (await harness.confirmed(caller, "no-such-sub-order")).json()["code"] == "NOT_FOUND"
