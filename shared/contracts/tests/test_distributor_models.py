import copy
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel, ValidationError

from shared_contracts.distributor import (
    AppointmentDatesQuery,
    AppointmentDatesResponse,
    BillingRequest,
    BookAppointmentRequest,
    BookAppointmentResponse,
    CdgRequest,
    CreateOrderRequest,
    CreateOrderResponse,
    InstallationRequest,
    OrderListQuery,
    OrderSummaryRequest,
    ShippingRequest,
    SubmitRequest,
    SubmitResponse,
    format_appointment_timestamp,
    paths,
)
from shared_contracts.distributor import examples as ex

REQUEST_EXAMPLES: list[tuple[type[BaseModel], dict[str, Any]]] = [
    (CreateOrderRequest, ex.CREATE_ORDER),
    (InstallationRequest, ex.INSTALLATION),
    (ShippingRequest, ex.SHIPPING),
    (BillingRequest, ex.BILLING),
    (CdgRequest, ex.CDG),
    (OrderSummaryRequest, ex.SUMMARY_BY_ORDER),
    (OrderSummaryRequest, ex.SUMMARY_BY_CDG),
    (AppointmentDatesQuery, ex.APPOINTMENT_DATES_QUERY),
    (BookAppointmentRequest, ex.BOOK_APPOINTMENT),
    (SubmitRequest, ex.SUBMIT_ORDER),
    (SubmitRequest, ex.SUBMIT_CDG),
    (OrderListQuery, ex.ORDER_LIST_QUERY),
]


def body(example: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(example)
    changed.update(changes)
    return changed


def errors(model: type[BaseModel], payload: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate_json(json.dumps(payload))
    return [dict(error) for error in refused.value.errors()]


def located(model: type[BaseModel], payload: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(error["loc"], error["type"]) for error in errors(model, payload)]


@pytest.mark.parametrize(("model", "example"), REQUEST_EXAMPLES)
def test_every_example_body_validates_as_json_and_as_python(model, example):
    assert model.model_validate_json(json.dumps(example)) == model.model_validate(example)


REQUEST_MODELS: list[type[BaseModel]] = list(dict.fromkeys(model for model, _ in REQUEST_EXAMPLES))


@pytest.mark.parametrize("model", REQUEST_MODELS)
def test_every_request_model_publishes_its_examples_and_refuses_unknown_fields(model):
    schema = model.model_json_schema()
    assert schema["examples"]
    for example in schema["examples"]:
        model.model_validate(example)
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(("model", "example"), REQUEST_EXAMPLES)
def test_an_unknown_field_is_refused(model, example):
    assert located(model, body(example, surprise=1)) == [(("surprise",), "extra_forbidden")]


def test_snake_case_names_are_not_accepted_as_input():
    payload = body(ex.CREATE_ORDER)
    payload["quote_id"] = payload.pop("quoteId")
    assert sorted(located(CreateOrderRequest, payload)) == [
        (("quoteId",), "missing"),
        (("quote_id",), "extra_forbidden"),
    ]


def test_shipping_refuses_zipcode_with_a_hint_naming_zip_at_the_field_path():
    address = {"street": "3400 W Plano", "city": "Plano", "state": "TX", "zipcode": "95350-1232"}
    (error,) = errors(ShippingRequest, body(ex.SHIPPING, shippingAddress=address))
    assert error["loc"] == ("shippingAddress", "zipcode")
    assert error["msg"] == "unknown field; this endpoint expects 'zip'"
    assert error["input"] == "95350-1232"


def test_shipping_refuses_postal_code_with_a_hint_naming_zip():
    address = {"street": "3400 W Plano", "city": "Plano", "state": "TX", "postalCode": "75082"}
    (error,) = errors(ShippingRequest, body(ex.SHIPPING, shippingAddress=address))
    assert (error["loc"], error["msg"]) == (
        ("shippingAddress", "postalCode"),
        "unknown field; this endpoint expects 'zip'",
    )


@pytest.mark.parametrize("wrong", ["zipcode", "zip"])
def test_installation_refuses_other_post_code_names_with_a_hint_naming_postal_code(wrong):
    address = {"street": "2270 LAKESIDE BLVD", "city": "RICHARDSON", "state": "TX", wrong: "75082"}
    (error,) = errors(InstallationRequest, body(ex.INSTALLATION, siteAddress=address))
    assert (error["loc"], error["msg"]) == (
        ("siteAddress", wrong),
        "unknown field; this endpoint expects 'postalCode'",
    )


def test_create_order_site_addresses_hint_at_postal_code_inside_the_list():
    payload = body(ex.CREATE_ORDER)
    payload["subOrders"][0]["siteAddress"] = {"street": "S", "city": "C", "state": "TX", "zipcode": "75082"}
    (error,) = errors(CreateOrderRequest, payload)
    assert error["loc"] == ("subOrders", 0, "siteAddress", "zipcode")
    assert "expects 'postalCode'" in error["msg"]


def test_create_order_needs_quote_customer_name_primary_contact_and_sub_orders():
    payload = body(ex.CREATE_ORDER)
    for name in ("quoteId", "subOrders"):
        del payload[name]
    payload["customer"] = {"accountNumber": "A-1"}
    payload["contacts"] = {"alternate": None}
    assert sorted(located(CreateOrderRequest, payload)) == [
        (("contacts", "primary"), "missing"),
        (("customer", "name"), "missing"),
        (("quoteId",), "missing"),
        (("subOrders",), "missing"),
    ]


def test_sub_orders_are_limited_to_1_to_50_and_items_to_1_to_100():
    sub_order = ex.CREATE_ORDER["subOrders"][0]
    assert located(CreateOrderRequest, body(ex.CREATE_ORDER, subOrders=[])) == [(("subOrders",), "too_short")]
    assert located(CreateOrderRequest, body(ex.CREATE_ORDER, subOrders=[sub_order] * 51)) == [
        (("subOrders",), "too_long")
    ]
    CreateOrderRequest.model_validate(body(ex.CREATE_ORDER, subOrders=[sub_order] * 50))
    item = sub_order["items"][0]
    for items, outcome in (([], "too_short"), ([item] * 101, "too_long")):
        payload = body(ex.CREATE_ORDER, subOrders=[{**sub_order, "items": items}])
        assert located(CreateOrderRequest, payload) == [(("subOrders", 0, "items"), outcome)]


@pytest.mark.parametrize("quantity", [0, -1, "2", 2.5, True, 10_000])
def test_quantity_is_a_positive_json_integer(quantity):
    payload = body(ex.CREATE_ORDER)
    payload["subOrders"][0]["items"][0]["quantity"] = quantity
    assert [loc for loc, _ in located(CreateOrderRequest, payload)] == [
        ("subOrders", 0, "items", 0, "quantity")
    ]


def test_strings_are_bounded_and_not_blank():
    payload = body(ex.CREATE_ORDER, quoteId="Q" * 65)
    payload["customer"]["name"] = "   "
    payload["subOrders"][0]["items"][0]["item"] = "9" * 26
    assert sorted(located(CreateOrderRequest, payload)) == [
        (("customer", "name"), "string_too_short"),
        (("quoteId",), "string_too_long"),
        (("subOrders", 0, "items", 0, "item"), "string_too_long"),
    ]


def test_the_create_order_response_has_the_documented_shape():
    response = CreateOrderResponse.model_validate(
        {
            "orderId": "o",
            "contractId": "c",
            "orderStatus": "DRAFT",
            "subOrders": [
                {
                    "subOrderId": "s",
                    "subOrderItems": [
                        {"orderItemId": "i", "item": "100100068", "quantity": 2, "orderItemType": "EQUIPMENT"}
                    ],
                }
            ],
        }
    )
    assert response.model_dump(mode="json")["status"] == "SUCCESS"
    assert response.model_dump(mode="json")["statusMessage"] == "Order created"


@pytest.mark.parametrize(
    "written", ["2025/12/08", "08-12-2025", "2025-12-08T00:00:00", "20251208", "2025-13-01"]
)
def test_requested_dates_must_be_written_yyyy_mm_dd(written):
    payload = body(ex.INSTALLATION, customerRequestedStartDate=written)
    assert [loc for loc, _ in located(InstallationRequest, payload)] == [("customerRequestedStartDate",)]


def test_installation_site_address_is_optional_and_contacts_are_required():
    payload = body(ex.INSTALLATION)
    del payload["siteAddress"]
    assert InstallationRequest.model_validate(payload).site_address is None
    assert located(InstallationRequest, body(ex.INSTALLATION, installationContacts=[])) == [
        (("installationContacts",), "too_short")
    ]


def test_billing_prices_are_json_numbers_and_frequencies_are_enumerated():
    request = BillingRequest.model_validate(ex.BILLING)
    assert request.ordered_items[0].unit_price == Decimal("12.99")
    line = {**ex.BILLING["orderedItems"][0], "unitPrice": "12.99", "billingFrequency": "WEEKLY"}
    assert sorted(located(BillingRequest, body(ex.BILLING, orderedItems=[line]))) == [
        (("orderedItems", 0, "billingFrequency"), "literal_error"),
        (("orderedItems", 0, "unitPrice"), "value_error"),
    ]


def test_cdg_needs_a_name_to_create_and_distinct_orders():
    assert CdgRequest.model_validate({"cdgId": "g", "orderIds": ["a"]}).cdg_name is None
    for payload in (
        {"orderIds": ["a"]},
        {"cdgName": "n", "orderIds": ["a", "a"]},
        {"cdgName": "n", "orderIds": []},
    ):
        assert errors(CdgRequest, payload)


@pytest.mark.parametrize("model", [OrderSummaryRequest, SubmitRequest])
@pytest.mark.parametrize("payload", [{}, {"orderId": "o", "cdgId": "g"}])
def test_order_id_xor_cdg_id(model, payload):
    (error,) = errors(model, payload)
    assert "exactly one of orderId and cdgId" in error["msg"]


def test_appointment_timestamps_are_read_and_written_with_milliseconds():
    request = BookAppointmentRequest.model_validate(ex.BOOK_APPOINTMENT)
    assert request.start_date == datetime(2025, 12, 8, 8, 0)
    response = BookAppointmentResponse(
        appointment_id="a",
        status="CONFIRMED",
        start_date=request.start_date,
        end_date=datetime(2025, 12, 8, 12, 0, 0, 5000),
    )
    assert response.model_dump(mode="json") == {
        "appointmentId": "a",
        "status": "CONFIRMED",
        "startDate": "2025-12-08 08:00:00.000",
        "endDate": "2025-12-08 12:00:00.005",
    }
    assert format_appointment_timestamp(datetime(2025, 1, 2, 3, 4, 5, 678_999)) == "2025-01-02 03:04:05.678"
    # the site's local time: a zone, if one is attached, is not written
    aware = datetime(2025, 1, 2, 3, 4, 5, tzinfo=ZoneInfo("America/Chicago"))
    assert format_appointment_timestamp(aware) == "2025-01-02 03:04:05.000"


@pytest.mark.parametrize(
    "written",
    [
        "2025-12-08T08:00:00.000",
        "2025-12-08 08:00:00",
        "2025-12-08 25:00:00.000",
        "2025-13-08 08:00:00.000",
        "2025-12-08 08:00:00.000+01:00",
    ],
)
def test_appointment_timestamps_in_another_format_are_refused(written):
    (error,) = errors(BookAppointmentRequest, body(ex.BOOK_APPOINTMENT, startDate=written))
    assert error["loc"] == ("startDate",)
    assert "YYYY-MM-DD HH:MM:SS.mmm" in error["msg"]


def test_appointment_dates_response_lists_windows_in_the_documented_format():
    response = AppointmentDatesResponse.model_validate(
        {
            "orderId": "o",
            "subOrderId": "s",
            "appointmentDates": [
                {
                    "startDate": "2025-12-08 08:00:00.000",
                    "endDate": "2025-12-08 12:00:00.000",
                    "availableSlots": 3,
                }
            ],
        }
    )
    assert response.model_dump(mode="json")["appointmentDates"][0]["startDate"] == "2025-12-08 08:00:00.000"


def test_order_list_query_pages_by_default_and_caps_the_limit():
    query = OrderListQuery.model_validate({})
    assert (query.offset, query.limit) == (0, 20)
    assert located(OrderListQuery, {"limit": 101}) == [(("limit",), "less_than_equal")]
    assert located(OrderListQuery, {"status": "OPEN"}) == [(("status",), "literal_error")]


def test_submit_response_names_the_order_or_the_group():
    by_order = SubmitResponse(order_id="o", order_ids=["o"], order_status="SUBMITTED")
    assert by_order.model_dump(mode="json", exclude_none=True) == {
        "status": "SUCCESS",
        "orderId": "o",
        "orderIds": ["o"],
        "orderStatus": "SUBMITTED",
    }


def test_public_paths_are_those_of_api_md():
    assert paths.SUBMIT == "/api/v1/order/submit"
    assert paths.ORDER.format(orderId="x") == "/api/v1/order/x"
    assert all(
        path.startswith(paths.API_PREFIX) for path in (*paths.ENRICHMENT_PATHS, *paths.APPOINTMENT_PATHS)
    )
    assert paths.RETIRED_SUBMIT not in paths.ENRICHMENT_PATHS


def test_requested_dates_are_dates():
    request = InstallationRequest.model_validate(ex.INSTALLATION)
    assert request.customer_requested_start_date == date(2025, 12, 8)
