"""Capacity is never exceeded and never lost, however many bookings arrive at once."""

import asyncio
from collections import Counter


async def test_200_concurrent_bookings_of_a_window_with_capacity_5_book_exactly_5(harness) -> None:
    day = harness.fresh_days(1)
    window = (await harness.open_windows(day, capacity=5))[0]
    caller = harness.new_caller()
    seeded = [await harness.seed_sub_order(caller, requested=(day[0], day[0])) for _ in range(200)]

    responses = await asyncio.gather(
        *(harness.book(caller, order_id, sub_order_id, window) for order_id, sub_order_id in seeded)
    )

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 5, 409: 195}, [r.text for r in responses if r.status_code not in (201, 409)]
    refusals = {response.json()["code"] for response in responses if response.status_code == 409}
    assert refusals == {"SLOT_UNAVAILABLE"}
    suggestion = f"Try {day[0]} 12:00:00.000 - {day[0]} 16:00:00.000"
    assert all(suggestion in r.json()["message"] for r in responses if r.status_code == 409)
    slot = await harness.slot(window)
    assert (slot["capacity"], slot["booked"]) == (5, 5)
    sub_order_ids = [sub_order_id for _, sub_order_id in seeded]
    confirmed = await harness.pool.fetch(
        "SELECT sub_order_id FROM appointments WHERE slot_id = $1 AND status = 'confirmed'", slot["slot_id"]
    )
    assert len(confirmed) == 5
    winners = {response.request.content for response in responses if response.status_code == 201}
    assert len(winners) == 5
    assert (
        await harness.pool.fetchval(
            "SELECT count(*) FROM appointments WHERE sub_order_id = ANY($1::text[])", sub_order_ids
        )
        == 5
    )  # the 195 refusals left nothing behind
    dates = await harness.dates(caller, *seeded[0])
    assert dates.json()["appointmentDates"] == [
        {"startDate": f"{day[0]} 12:00:00.000", "endDate": f"{day[0]} 16:00:00.000", "availableSlots": 5}
    ]  # the full window is no longer offered; its neighbour still is


async def test_concurrent_rebookings_of_one_sub_order_leave_exactly_one_confirmed_appointment(
    harness,
) -> None:
    days = harness.fresh_days(10)
    windows = await harness.open_windows(days, capacity=3)
    assert len(windows) == 20
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(caller, requested=(days[0], days[-1]))

    responses = await asyncio.gather(*(harness.book(caller, order_id, sub_order_id, w) for w in windows))

    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    rows = await harness.pool.fetch(
        "SELECT status, start_at, end_at, slot_id FROM appointments WHERE sub_order_id = $1", sub_order_id
    )
    assert Counter(row["status"] for row in rows) == {"confirmed": 1, "cancelled": 19}
    (kept,) = [row for row in rows if row["status"] == "confirmed"]
    slots = {window: await harness.slot(window) for window in windows}
    assert sum(slot["booked"] for slot in slots.values()) == 1
    assert [w for w, slot in slots.items() if slot["booked"] == 1] == [
        w for w in windows if (w.start, w.end) == (kept["start_at"], kept["end_at"])
    ]
    lookup = await harness.confirmed(caller, sub_order_id)
    assert lookup.status_code == 200
    assert lookup.json()["startDate"] == kept["start_at"].strftime("%Y-%m-%d %H:%M:%S.000")


async def test_moves_crossing_each_other_never_deadlock_and_keep_the_counts(harness) -> None:
    day = harness.fresh_days(1)
    morning, afternoon = await harness.open_windows(day, capacity=2)
    caller = harness.new_caller()
    first = await harness.seed_sub_order(caller, requested=(day[0], day[0]))
    second = await harness.seed_sub_order(caller, requested=(day[0], day[0]))
    assert (await harness.book(caller, *first, morning)).status_code == 201
    assert (await harness.book(caller, *second, afternoon)).status_code == 201

    swaps = []
    for round_ in range(15):  # each round, the two sub-orders swap windows at the same time
        there, back = (afternoon, morning) if round_ % 2 == 0 else (morning, afternoon)
        swaps += [harness.book(caller, *first, there), harness.book(caller, *second, back)]
    responses = await asyncio.gather(*swaps)

    assert {response.status_code for response in responses} == {201}, [r.text for r in responses]
    # Whichever request of a sub-order ran last decides its window; the counts must match the bookings.
    for window in (morning, afternoon):
        slot = await harness.slot(window)
        holders = await harness.pool.fetchval(
            "SELECT count(*) FROM appointments WHERE slot_id = $1 AND status = 'confirmed'", slot["slot_id"]
        )
        assert slot["booked"] == holders
    confirmed = await harness.pool.fetchval(
        "SELECT count(*) FROM appointments WHERE sub_order_id = ANY($1::text[]) AND status = 'confirmed'",
        [first[1], second[1]],
    )
    assert confirmed == 2
    assert (await harness.slot(morning))["booked"] + (await harness.slot(afternoon))["booked"] == 2
