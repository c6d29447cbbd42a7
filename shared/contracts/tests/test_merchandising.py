import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared_contracts.merchandising import (
    MERCH_OPERATIONS,
    SPEC_SAMPLES,
    AvailableInventoryItem,
    AvailableInventoryRequest,
    AvailableInventoryResponse,
    FulfillmentOrderCancelRequest,
    FulfillmentOrderCreateRequest,
    InventoryBackorderRequest,
    ItemSubstitutionRequest,
    MerchSuccess,
    read_spec_sample,
)


def sample(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(read_spec_sample(name))
    return payload


def request_sample(model: type[BaseModel]) -> dict[str, Any]:
    (name,) = (name for name, sample_model in SPEC_SAMPLES.items() if sample_model is model)
    return sample(name)


def refusal(model: type[BaseModel], payload: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate_json(json.dumps(payload))
    return [(error["loc"], error["type"]) for error in refused.value.errors()]


def parent_of(payload: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    parent: Any = payload
    for step in path[:-1]:
        parent = parent[step]
    return parent


def set_at(payload: dict[str, Any], path: tuple[str | int, ...], value: object) -> None:
    parent_of(payload, path)[path[-1]] = value


@pytest.mark.parametrize("name", sorted(SPEC_SAMPLES))
def test_every_sample_message_of_the_specification_validates(name):
    message = SPEC_SAMPLES[name].model_validate_json(read_spec_sample(name))
    assert SPEC_SAMPLES[name].model_validate_json(message.model_dump_json()) == message


@pytest.mark.parametrize(
    "name",
    [
        "available_inventory_get_request",
        "available_inventory_get_response",
        "inventory_backorder_create_request",
        "item_substitution_create_request",
        "fulfillment_order_cancel_request",
        "fulfillment_order_create_response",
        "inventory_backorder_create_response",
    ],
)
def test_samples_serialize_back_to_the_same_json(name):
    message = SPEC_SAMPLES[name].model_validate_json(read_spec_sample(name))
    assert json.loads(message.model_dump_json(exclude_unset=True)) == sample(name)


def test_fulfillment_create_sample_fields():
    request = FulfillmentOrderCreateRequest.model_validate_json(
        read_spec_sample("fulfillment_order_create_request")
    )
    order = request.items[0]
    assert order.consumer_delivery_date == date(2001, 12, 31)
    assert order.consumer_delivery_time == datetime(2001, 12, 31, 23, 59, 59, 123000, tzinfo=UTC)
    assert order.delivery_charges == Decimal("3.55")
    assert order.customer_details is not None
    assert order.customer_details.deliver_add2 == "2504 Centergate Dr Apt 103"
    assert order.customer_details.deliver_phonetic_last is None
    extension = order.customer_details.localization_extensions
    assert extension is not None
    assert extension[0].attributes[0].value_date == date(2001, 12, 31)
    assert order.details[0].order_quantity_suom == Decimal(3)
    assert order.details[0].unit_retail == Decimal("12.99")


def test_success_body():
    assert MerchSuccess().model_dump() == {"status": "SUCCESS", "message": "Service call is successful"}


def test_response_quantities_are_json_numbers():
    response = AvailableInventoryResponse(
        items=[
            AvailableInventoryItem(
                item="100100076",
                location=6000,
                location_type="S",
                available_quantity=Decimal("20.5000"),
                uom="EA",
            )
        ]
    )
    assert json.loads(response.model_dump_json())["items"][0]["availableQuantity"] == 20.5


def test_collection_size_is_not_checked_against_the_items():
    payload = {**sample("inventory_backorder_create_request"), "collectionSize": 5}
    assert InventoryBackorderRequest.model_validate(payload).collection_size == 5


def test_unknown_top_level_field_is_refused():
    payload = {**sample("available_inventory_get_request"), "store": 6000}
    assert refusal(AvailableInventoryRequest, payload) == [(("store",), "extra_forbidden")]


def test_unknown_nested_field_is_refused_at_its_location():
    payload = sample("fulfillment_order_create_request")
    payload["items"][0]["details"][0]["giftWrap"] = "Y"
    assert refusal(FulfillmentOrderCreateRequest, payload) == [
        (("items", 0, "details", 0, "giftWrap"), "extra_forbidden")
    ]


def test_python_field_names_are_not_accepted_in_a_body():
    payload = sample("fulfillment_order_create_request")
    detail = payload["items"][0]["details"][0]
    detail["order_quantity_suom"] = detail.pop("orderQuantitySuom")
    assert sorted(refusal(FulfillmentOrderCreateRequest, payload)) == [
        (("items", 0, "details", 0, "orderQuantitySuom"), "missing"),
        (("items", 0, "details", 0, "order_quantity_suom"), "extra_forbidden"),
    ]


@pytest.mark.parametrize(
    ("model", "path", "too_long"),
    [
        (FulfillmentOrderCreateRequest, ("items", 0, "customerOrderNo"), 49),
        (FulfillmentOrderCreateRequest, ("items", 0, "carrierServiceCode"), 7),
        (FulfillmentOrderCreateRequest, ("items", 0, "customerDetails", "deliverFirstName"), 121),
        (
            FulfillmentOrderCreateRequest,
            ("items", 0, "customerDetails", "localizationExtensions", 0, "attributes", 0, "name"),
            31,
        ),
        (FulfillmentOrderCreateRequest, ("items", 0, "comments"), 2001),
        (FulfillmentOrderCancelRequest, ("items", 0, "details", 0, "item"), 26),
        (InventoryBackorderRequest, ("items", 0, "uom"), 5),
        (ItemSubstitutionRequest, ("items", 0, "fulfillOrderNo"), 49),
        (AvailableInventoryRequest, ("items", 0), 26),
    ],
)
def test_a_too_long_string_is_refused_at_its_location(model, path, too_long):
    payload = request_sample(model)
    set_at(payload, path, "x" * too_long)
    assert refusal(model, payload) == [(path, "string_too_long")]
    set_at(payload, path, "x" * (too_long - 1))
    model.model_validate(payload)


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (AvailableInventoryRequest, ("inventoryLocations", 0, "locationType")),
        (InventoryBackorderRequest, ("items", 0, "locationType")),
        (FulfillmentOrderCreateRequest, ("items", 0, "partialDeliveryInd")),
        (FulfillmentOrderCreateRequest, ("items", 0, "deliveryType")),
        (FulfillmentOrderCreateRequest, ("items", 0, "fulfillLocationType")),
        (FulfillmentOrderCreateRequest, ("items", 0, "sourceLocationType")),
        (FulfillmentOrderCreateRequest, ("items", 0, "details", 0, "substituteInd")),
        (FulfillmentOrderCancelRequest, ("items", 0, "sourceLocationType")),
    ],
)
def test_a_value_outside_an_enumeration_is_refused_at_its_location(model, path):
    payload = request_sample(model)
    set_at(payload, path, "X")
    assert refusal(model, payload) == [(path, "literal_error")]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (12_345_678_901, "less_than_equal"),
        ("1521", "int_type"),
        (1521.5, "int_type"),
        (True, "int_type"),
        (None, "int_type"),
    ],
)
def test_a_location_is_an_integer_of_at_most_ten_digits(value, error):
    payload = sample("inventory_backorder_create_request")
    payload["items"][0]["location"] = value
    assert refusal(InventoryBackorderRequest, payload) == [(("items", 0, "location"), error)]


def test_collection_size_has_at_most_four_digits():
    payload = {**sample("item_substitution_create_request"), "collectionSize": 10_000}
    assert refusal(ItemSubstitutionRequest, payload) == [(("collectionSize",), "less_than_equal")]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1.23456, "decimal_max_places"),
        (123_456_789, "decimal_whole_digits"),
        ("NaN", "finite_number"),
        (True, "decimal_type"),
    ],
)
def test_a_quantity_is_a_number_of_twelve_digits_four_after_the_point(value, error):
    payload = sample("fulfillment_order_cancel_request")
    payload["items"][0]["details"][0]["cancelQuantityInSuom"] = value
    assert refusal(FulfillmentOrderCancelRequest, payload) == [
        (("items", 0, "details", 0, "cancelQuantityInSuom"), error)
    ]


def test_largest_quantity_and_a_negative_backorder_adjustment_are_accepted():
    payload = sample("inventory_backorder_create_request")
    payload["items"][0]["backorderQuantity"] = -99_999_999.9999
    request = InventoryBackorderRequest.model_validate(payload)
    assert request.items is not None
    assert request.items[0].backorder_quantity == Decimal("-99999999.9999")


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (FulfillmentOrderCreateRequest, ("items", 0, "consumerDeliveryDate")),
        (FulfillmentOrderCreateRequest, ("items", 0, "partialDeliveryInd")),
        (FulfillmentOrderCreateRequest, ("items", 0, "details")),
        (FulfillmentOrderCancelRequest, ("items", 0, "fulfillLocation")),
        (ItemSubstitutionRequest, ("items", 0, "details", 0, "substituteItemQuantityUom")),
        (InventoryBackorderRequest, ("collectionSize",)),
        (AvailableInventoryRequest, ("inventoryLocations",)),
    ],
)
def test_a_missing_required_field_is_refused_at_its_location(model, path):
    payload = request_sample(model)
    del parent_of(payload, path)[path[-1]]
    assert refusal(model, payload) == [(path, "missing")]


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        (InventoryBackorderRequest, {"collectionSize": 0}),
        (ItemSubstitutionRequest, {"collectionSize": 0}),
        (FulfillmentOrderCancelRequest, {}),
    ],
)
def test_optional_collections_may_be_absent(model, payload):
    assert model.model_validate(payload).items is None


def test_fulfillment_create_needs_items():
    assert refusal(FulfillmentOrderCreateRequest, {}) == [(("items",), "missing")]


def test_a_malformed_delivery_date_is_refused():
    payload = sample("fulfillment_order_create_request")
    payload["items"][0]["consumerDeliveryDate"] = "31/12/2001"
    assert refusal(FulfillmentOrderCreateRequest, payload) == [
        (("items", 0, "consumerDeliveryDate"), "date_from_datetime_parsing")
    ]


def test_operations_are_those_of_api_md():
    assert [(operation.method, operation.path) for operation in MERCH_OPERATIONS] == [
        ("POST", "/MerchIntegrations/services/customerOrders/availableInventory/get"),
        ("POST", "/MerchIntegrations/services/customerOrders/inventoryBackorder/create"),
        ("POST", "/MerchIntegrations/services/customerOrders/itemSubstitution/create"),
        ("PUT", "/MerchIntegrations/services/customerOrders/fulfillmentOrder/cancel"),
        ("POST", "/MerchIntegrations/services/customerOrders/fulfillmentOrder/create"),
    ]
    for operation in MERCH_OPERATIONS:
        request_sample = next(name for name, model in SPEC_SAMPLES.items() if model is operation.request)
        response_sample = request_sample.removesuffix("_request") + "_response"
        assert SPEC_SAMPLES[response_sample] is operation.response


def test_reading_an_unknown_sample():
    with pytest.raises(KeyError, match="no specification sample named 'nope'"):
        read_spec_sample("nope")
