"""A request that arrives before the installation's OrderEnriched reached the read model asks enrichment."""

import uuid
from datetime import date


def _enrichment_view(caller, order_id, sub_order_id, site, requested: tuple[date, date] | None):
    return {
        "orderId": order_id,
        "subOrderId": sub_order_id,
        "spId": caller.sp_id,
        "environment": caller.environment,
        "orderStatus": "DRAFT",
        "siteAddress": site,
        "installation": None
        if requested is None
        else {
            "siteAddress": site,
            "customerRequestedStartDate": requested[0].isoformat(),
            "customerRequestedDueDate": requested[1].isoformat(),
        },
    }


def _ids() -> tuple[str, str]:
    return str(uuid.uuid4()), str(uuid.uuid4())


async def test_an_unknown_sub_order_is_asked_at_enrichment_and_remembered(harness) -> None:
    days = harness.fresh_days(1)
    _, afternoon = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller("sandbox")
    order_id, sub_order_id = _ids()
    harness.enrichment.sub_orders[sub_order_id] = _enrichment_view(
        caller, order_id, sub_order_id, harness.mocked_site, (days[0], days[0])
    )

    response = await harness.dates(caller, order_id, sub_order_id)

    assert response.status_code == 200, response.text
    assert [w["startDate"] for w in response.json()["appointmentDates"]] == [
        f"{days[0]} 08:00:00.000",
        f"{days[0]} 12:00:00.000",
    ]
    (asked,) = [r for r in harness.enrichment.requests if r["subOrderId"] == sub_order_id]
    assert (asked["x-sp-id"], asked["x-environment"], asked["x-client-id"]) == (
        caller.sp_id,
        "sandbox",
        f"client-{caller.sp_id}",
    )
    assert asked["x-trace-id"] == response.request.headers["x-trace-id"]
    row = await harness.pool.fetchrow("SELECT * FROM sub_orders WHERE sub_order_id = $1", sub_order_id)
    assert (row["order_id"], row["sp_id"], row["installation_complete"]) == (order_id, caller.sp_id, True)
    assert (await harness.book(caller, order_id, sub_order_id, afternoon)).status_code == 201
    assert len([r for r in harness.enrichment.requests if r["subOrderId"] == sub_order_id]) == 1


async def test_an_installation_the_read_model_has_not_seen_is_asked_at_enrichment(harness) -> None:
    days = harness.fresh_days(1)
    morning, _ = await harness.open_windows(days, capacity=1)
    caller = harness.new_caller()
    order_id, sub_order_id = await harness.seed_sub_order(
        caller, requested=None
    )  # known without installation (the HTTP fallback's row)
    harness.enrichment.sub_orders[sub_order_id] = _enrichment_view(
        caller, order_id, sub_order_id, harness.mocked_site, (days[0], days[0])
    )
    response = await harness.book(caller, order_id, sub_order_id, morning)
    assert response.status_code == 201, response.text


async def test_no_installation_at_enrichment_either_is_the_previous_step(harness) -> None:
    caller = harness.new_caller()
    order_id, sub_order_id = _ids()
    harness.enrichment.sub_orders[sub_order_id] = _enrichment_view(
        caller, order_id, sub_order_id, harness.mocked_site, None
    )
    response = await harness.dates(caller, order_id, sub_order_id)
    assert (response.status_code, response.json()["message"]) == (
        409,
        "Previous Step (Installation) is not complete.",
    )


async def test_a_sub_order_enrichment_does_not_know_for_the_caller_is_not_found(harness) -> None:
    owner, other = harness.new_caller(), harness.new_caller()
    order_id, sub_order_id = _ids()
    harness.enrichment.sub_orders[sub_order_id] = _enrichment_view(
        owner, order_id, sub_order_id, harness.mocked_site, (date.today(), date.today())
    )
    assert (await harness.dates(other, order_id, sub_order_id)).status_code == 404
    assert (await harness.dates(harness.new_caller(), *_ids())).status_code == 404


async def test_enrichment_failing_is_unavailable_not_a_wrong_answer(harness) -> None:
    harness.enrichment.failing = True
    try:
        response = await harness.dates(harness.new_caller(), *_ids())
    finally:
        harness.enrichment.failing = False
    assert (response.status_code, response.json()["code"], response.json()["category"]) == (
        503,
        "UNAVAILABLE",
        "UNAVAILABLE",
    )
