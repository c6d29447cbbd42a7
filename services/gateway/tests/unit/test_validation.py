"""Strict request checks: bodies against the contract models, arrays capped, query and path ids."""

import json

from gateway.domain.validation import check_body, check_path_identifiers, check_query
from shared_contracts.distributor import (
    CreateOrderRequest,
    InstallationRequest,
    OrderListQuery,
    ShippingRequest,
    examples,
)
from shared_contracts.merchandising import SPEC_SAMPLES, read_spec_sample


def encoded(document: object) -> bytes:
    return json.dumps(document).encode()


def test_valid_example_bodies_pass() -> None:
    assert check_body(CreateOrderRequest, encoded(examples.CREATE_ORDER), 500) == []
    assert check_body(ShippingRequest, encoded(examples.SHIPPING), 500) == []


def test_every_merchandising_sample_input_passes_as_written() -> None:
    for name, model in SPEC_SAMPLES.items():
        if name.endswith("_request"):
            assert check_body(model, read_spec_sample(name).encode(), 500) == [], name


def test_zipcode_gets_a_hint_naming_the_field_of_the_endpoint() -> None:
    shipping = {
        **examples.SHIPPING,
        "shippingAddress": {"street": "s", "city": "c", "state": "TX", "zipcode": "1"},
    }
    [problem] = check_body(ShippingRequest, encoded(shipping), 500)
    assert problem.field == "shippingAddress.zipcode"
    assert "'zip'" in problem.error
    site = {**examples.KNOWN_GOOD_SITE_ADDRESS}
    site["zipcode"] = site.pop("postalCode")
    [problem] = check_body(InstallationRequest, encoded({**examples.INSTALLATION, "siteAddress": site}), 500)
    assert problem.field == "siteAddress.zipcode"
    assert "'postalCode'" in problem.error


def test_unknown_fields_are_refused_with_their_path_and_value() -> None:
    problems = check_body(
        CreateOrderRequest, encoded({**examples.CREATE_ORDER, "orderStatus": "SUBMITTED"}), 500
    )
    assert [(p.field, p.error, p.input_value) for p in problems] == [
        ("orderStatus", "unknown field", "SUBMITTED")
    ]


def test_arrays_over_the_cap_are_refused_before_the_model_runs() -> None:
    body = {**examples.SHIPPING, "emailIds": ["a@b.example"] * 5}
    [problem] = check_body(ShippingRequest, encoded(body), 4)
    assert problem.field == "emailIds"
    assert "at most 4" in problem.error


def test_malformed_or_absurdly_nested_json_is_one_clear_error() -> None:
    for body in (b"", b"{", b"[" * 100_000):
        [problem] = check_body(CreateOrderRequest, body, 500)
        assert problem.field == "body"


def test_echoed_input_values_are_shortened() -> None:
    body = {**examples.CREATE_ORDER, "quoteId": "Q" * 5000}
    [problem] = check_body(CreateOrderRequest, encoded(body), 500)
    assert problem.field == "quoteId"
    assert len(problem.input_value) < 300


def test_query_parameters_are_checked_and_unknown_ones_refused() -> None:
    assert check_query(OrderListQuery, {"status": "DRAFT", "limit": "10"}) == []
    problems = {p.field: p for p in check_query(OrderListQuery, {"limit": "1000", "sort": "x"})}
    assert set(problems) == {"limit", "sort"}
    assert check_query(None, {}) == []
    assert [p.field for p in check_query(None, {"x": "1"})] == ["x"]


def test_path_ids_follow_the_identifier_rule() -> None:
    assert check_path_identifiers({"orderId": "5f0c7a52-5a8e"}) == []
    [problem] = check_path_identifiers({"orderId": "a b"})
    assert problem.field == "orderId"
    assert check_path_identifiers({"orderId": "x" * 65})
