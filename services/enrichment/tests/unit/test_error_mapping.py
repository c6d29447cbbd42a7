import pytest

from enrichment.domain.errors import (
    BusinessRuleError,
    FieldProblem,
    InvalidFieldsError,
    NotFoundError,
    OrderNotOpenError,
    SandboxTestDataError,
    StepIncompleteError,
)
from enrichment.entrypoints.http.errors import answered_as_api_errors, as_api_error
from enrichment.service_layer.ports import AppointmentServiceUnavailableError
from shared_http import ApiError


@pytest.mark.parametrize(
    ("error", "status", "code", "category"),
    [
        (NotFoundError("Order", "x"), 404, "NOT_FOUND", "NOT_FOUND"),
        (OrderNotOpenError("o", "SUBMITTED"), 409, "ORDER_NOT_OPEN", "BUSINESS"),
        (
            StepIncompleteError("Previous Step (Billing) is not complete.", ["s1"]),
            409,
            "STEP_INCOMPLETE",
            "BUSINESS",
        ),
        (InvalidFieldsError([FieldProblem("f", "bad", 1)]), 400, "VALIDATION_FAILED", "VALIDATION"),
        (BusinessRuleError("QUOTE_MISMATCH", "m"), 422, "QUOTE_MISMATCH", "BUSINESS"),
        (BusinessRuleError("ORDER_IN_OTHER_CDG", "m"), 409, "ORDER_IN_OTHER_CDG", "BUSINESS"),
        (SandboxTestDataError("use 2270 LAKESIDE BLVD"), 422, "TEST_DATA", "TEST_DATA"),
        (AppointmentServiceUnavailableError("down"), 503, "UNAVAILABLE", "UNAVAILABLE"),
    ],
)
def test_each_refusal_has_its_status_code_and_category(error, status, code, category):
    api_error = as_api_error(error)
    assert api_error is not None
    assert (api_error.status, api_error.code, api_error.category) == (status, code, category)


def test_step_incomplete_keeps_the_exact_message_and_names_the_sub_orders():
    api_error = as_api_error(StepIncompleteError("Previous Step (Shipping) is not complete.", ["s1", "s2"]))
    assert api_error is not None
    assert api_error.message == "Previous Step (Shipping) is not complete."
    assert len(api_error.business_error) == 2


def test_other_exceptions_pass_through():
    with pytest.raises(ApiError), answered_as_api_errors():
        raise NotFoundError("Order", "x")
    with pytest.raises(KeyError), answered_as_api_errors():
        raise KeyError("defect")
