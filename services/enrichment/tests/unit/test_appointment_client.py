from datetime import datetime

import httpx
import pytest

from enrichment.adapters.appointment_client import HttpAppointmentDirectory, confirmed_in, identity_headers
from enrichment.service_layer.context import RequestContext, Tenant
from enrichment.service_layer.ports import AppointmentServiceUnavailableError
from shared_http.service_client import service_client

CONTEXT = RequestContext(Tenant("sp-a", "sandbox"), "client-a", "trace-1", "tx-1", "erp")
CONFIRMED = {
    "appointmentId": "a1",
    "orderId": "o1",
    "subOrderId": "s1",
    "status": "CONFIRMED",
    "startDate": "2025-12-08 08:00:00.000",
    "endDate": "2025-12-08T12:00:00",
}


def directory(handler) -> HttpAppointmentDirectory:
    return HttpAppointmentDirectory(
        service_client("http://appointment", transport=httpx.MockTransport(handler))
    )


@pytest.mark.parametrize("body", [CONFIRMED, [CONFIRMED], {"appointments": [CONFIRMED]}])
def test_a_confirmed_appointment_is_read_in_any_of_the_accepted_shapes(body):
    booking = confirmed_in(body, "s1")
    assert booking is not None
    assert (booking.appointment_id, booking.status) == ("a1", "CONFIRMED")
    assert (booking.start_date, booking.end_date) == (datetime(2025, 12, 8, 8), datetime(2025, 12, 8, 12))


@pytest.mark.parametrize(
    "body",
    [{**CONFIRMED, "status": "CANCELLED"}, {**CONFIRMED, "subOrderId": "s2"}, [], {"appointments": []}],
)
def test_no_confirmed_appointment_of_the_sub_order_is_none(body):
    assert confirmed_in(body, "s1") is None


async def test_the_lookup_asks_with_the_callers_identity():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CONFIRMED)

    booking = await directory(answer).confirmed_booking("s1", CONTEXT)
    assert booking is not None
    (request,) = seen
    assert request.url.path == "/internal/v1/appointments"
    assert request.url.params["subOrderId"] == "s1"
    assert request.headers["x-sp-id"] == "sp-a"
    assert request.headers["x-trace-id"] == "trace-1"
    assert identity_headers(CONTEXT)["x-environment"] == "sandbox"


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, json={"status": "ERROR", "code": "NOT_FOUND", "message": "Not Found"}),
        httpx.Response(404, text="not found"),
        httpx.Response(200, json={"status": "ERROR", "code": "NOT_FOUND"}),
    ],
)
async def test_not_found_means_no_appointment(response):
    assert await directory(lambda request: response).confirmed_booking("s1", CONTEXT) is None


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, json={"status": "ERROR", "code": "UNAVAILABLE"}),
        httpx.Response(500, text="boom"),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json={"status": "CONFIRMED", "subOrderId": "s1"}),
    ],
)
async def test_errors_and_unreadable_answers_are_unavailable(response):
    with pytest.raises(AppointmentServiceUnavailableError):
        await directory(lambda request: response).confirmed_booking("s1", CONTEXT)


async def test_an_unreachable_service_is_unavailable():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(AppointmentServiceUnavailableError, match="unreachable"):
        await directory(refuse).confirmed_booking("s1", CONTEXT)
