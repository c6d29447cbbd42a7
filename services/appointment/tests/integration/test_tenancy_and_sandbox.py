"""Another tenant's sub-orders and appointments are not found; the sandbox accepts only mocked sites."""

from dataclasses import replace
from datetime import date

import pytest

KNOWN_GOOD = "2270 LAKESIDE BLVD, RICHARDSON, TX 75082"


async def _installed_sub_order(harness, caller, **site):
    days = harness.fresh_days(1)
    windows = await harness.open_windows(days, capacity=2)
    ids = await harness.seed_sub_order(caller, requested=(days[0], days[0]), **site)
    return ids, windows[0]


@pytest.mark.parametrize(
    "intruder",
    [
        ("another-sp", "production"),  # another Solution Provider
        ("same-sp", "sandbox"),  # the owner's SP with a credential of the other environment
    ],
)
async def test_another_tenant_gets_404_on_dates_book_cancel_and_lookup(harness, intruder) -> None:
    owner = harness.new_caller("production")
    (order_id, sub_order_id), window = await _installed_sub_order(harness, owner)
    booked = (await harness.book(owner, order_id, sub_order_id, window)).json()
    who, environment = intruder
    other = (
        harness.new_caller(environment) if who == "another-sp" else replace(owner, environment=environment)
    )

    responses = [
        await harness.dates(other, order_id, sub_order_id),
        await harness.book(other, order_id, sub_order_id, window),
        await harness.cancel(other, booked["appointmentId"]),
        await harness.confirmed(other, sub_order_id),
    ]

    assert [(r.status_code, r.json()["code"], r.json()["category"]) for r in responses] == [
        (404, "NOT_FOUND", "NOT_FOUND")
    ] * 4
    assert not any(booked["startDate"] in r.text or owner.sp_id in r.text for r in responses)  # nothing leaks
    assert (await harness.slot(window))["booked"] == 1  # untouched
    assert (await harness.confirmed(owner, sub_order_id)).json()["appointmentId"] == booked["appointmentId"]


async def test_a_sub_order_named_with_another_order_is_not_found(harness) -> None:
    caller = harness.new_caller()
    (_, sub_order_id), window = await _installed_sub_order(harness, caller)
    other_order, _ = await harness.seed_sub_order(caller, requested=(date.today(), date.today()))
    assert (await harness.dates(caller, other_order, sub_order_id)).status_code == 404
    assert (await harness.book(caller, other_order, sub_order_id, window)).status_code == 404


async def test_sandbox_sites_outside_the_mocked_data_fail_as_test_data_on_both_endpoints(harness) -> None:
    caller = harness.new_caller("sandbox")
    (order_id, sub_order_id), window = await _installed_sub_order(
        harness, caller, site_address=harness.unmocked_site
    )
    for response in (
        await harness.dates(caller, order_id, sub_order_id),
        await harness.book(caller, order_id, sub_order_id, window),
    ):
        assert response.status_code == 422
        body = response.json()
        assert (body["code"], body["category"]) == ("TEST_DATA", "TEST_DATA")
        assert harness.unmocked_site["street"] in body["message"]
        assert KNOWN_GOOD in body["message"]
    assert (await harness.slot(window))["booked"] == 0


async def test_sandbox_sites_in_the_mocked_data_get_dates_and_book(harness) -> None:
    caller = harness.new_caller("sandbox")
    (order_id, sub_order_id), window = await _installed_sub_order(
        harness, caller, site_address=harness.mocked_site
    )
    dates = await harness.dates(caller, order_id, sub_order_id)
    assert dates.status_code == 200
    assert len(dates.json()["appointmentDates"]) == 2
    assert (await harness.book(caller, order_id, sub_order_id, window)).status_code == 201


async def test_production_accepts_any_site_its_territories_serve(harness) -> None:
    caller = harness.new_caller("production")
    (order_id, sub_order_id), window = await _installed_sub_order(
        harness, caller, site_address=harness.unmocked_site
    )
    dates = await harness.dates(caller, order_id, sub_order_id)
    assert dates.status_code == 200
    assert len(dates.json()["appointmentDates"]) == 2
    assert (await harness.book(caller, order_id, sub_order_id, window)).status_code == 201


async def test_a_site_no_territory_serves_is_outside_the_service_area(harness) -> None:
    caller = harness.new_caller("production")
    outside = {"street": "1 FAR AWAY RD", "city": "NOWHERE", "state": "ZY", "postalCode": "99999"}
    (order_id, sub_order_id), window = await _installed_sub_order(harness, caller, site_address=outside)
    for response in (
        await harness.dates(caller, order_id, sub_order_id),
        await harness.book(caller, order_id, sub_order_id, window),
    ):
        assert (response.status_code, response.json()["code"]) == (422, "OUTSIDE_SERVICE_AREA")
        assert "ZY 99999" in response.json()["message"]


async def test_a_request_without_the_gateways_identity_is_refused(harness) -> None:
    response = await harness.http.get(
        "/api/v1/service-appointment/dates",
        params={"orderId": "O-1", "subOrderId": "S-1"},
        headers={"x-trace-id": "t-1"},
    )
    assert (response.status_code, response.json()["category"]) == (401, "AUTHORIZATION")
    no_sp = await harness.http.get(
        "/api/v1/service-appointment/dates",
        params={"orderId": "O-1", "subOrderId": "S-1"},
        headers={
            "x-trace-id": "t-1",
            "x-client-id": "oms",
            "x-environment": "production",
            "x-roles": "merchandising",
        },
    )
    assert no_sp.status_code == 403
