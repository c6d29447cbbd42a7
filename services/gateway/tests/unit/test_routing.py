"""The routing table: every public path of API.md, its owning service and the role it needs."""

import pytest

from gateway.domain.clients import Role
from gateway.domain.routing import (
    MERCH_VALIDATION_MESSAGE,
    OPERATIONS,
    RETIRED_SUBMIT_MESSAGE,
    Upstream,
    role_for_path,
    upstream_for_path,
)
from shared_contracts.distributor import paths
from shared_contracts.merchandising import MERCH_OPERATIONS

MERCH = "/MerchIntegrations/services/customerOrders"


@pytest.mark.parametrize(
    ("path", "upstream"),
    [
        ("/api/v1/order", Upstream.ENRICHMENT),
        ("/api/v1/order/submit", Upstream.ENRICHMENT),
        ("/api/v1/order-enrichment/installation", Upstream.ENRICHMENT),
        ("/api/v1/order-enrichment/cdg", Upstream.ENRICHMENT),
        ("/api/v1/order-summary", Upstream.ENRICHMENT),
        ("/api/v1/orders", Upstream.ENRICHMENT),
        ("/api/v1/order/5f0c7a52", Upstream.ENRICHMENT),
        ("/api/v1/service-appointment", Upstream.APPOINTMENT),
        ("/api/v1/service-appointment/dates", Upstream.APPOINTMENT),
        ("/api/v1/service-appointment/A-1", Upstream.APPOINTMENT),
        (f"{MERCH}/availableInventory/get", Upstream.INVENTORY),
        (f"{MERCH}/inventoryBackorder/create", Upstream.INVENTORY),
        (f"{MERCH}/itemSubstitution/create", Upstream.INVENTORY),
        (f"{MERCH}/fulfillmentOrder/create", Upstream.FULFILLMENT),
        (f"{MERCH}/fulfillmentOrder/cancel", Upstream.FULFILLMENT),
    ],
)
def test_each_path_goes_to_its_owner(path: str, upstream: Upstream) -> None:
    assert upstream_for_path(path) is upstream


def test_prefixes_match_whole_segments_only() -> None:
    assert upstream_for_path("/api/v1/service-appointmentX") is Upstream.ENRICHMENT
    assert upstream_for_path("/api/v10/order") is None
    assert upstream_for_path("/health/live") is None
    assert upstream_for_path(f"{MERCH}/unknownService/get") is None


def test_roles_follow_the_api() -> None:
    assert role_for_path("/api/v1/order") is Role.DISTRIBUTOR
    assert role_for_path(f"{MERCH}/fulfillmentOrder/create") is Role.MERCHANDISING
    assert role_for_path("/other") is None


def test_every_public_operation_of_api_md_is_in_the_table_once() -> None:
    served = {(op.method, op.path) for op in OPERATIONS}
    assert len(served) == len(OPERATIONS)
    expected = {
        ("POST", paths.CREATE_ORDER),
        ("PUT", paths.INSTALLATION),
        ("POST", paths.SHIPPING),
        ("POST", paths.BILLING),
        ("POST", paths.CDG),
        ("POST", paths.ORDER_SUMMARY),
        ("GET", paths.APPOINTMENT_DATES),
        ("POST", paths.APPOINTMENT),
        ("DELETE", paths.APPOINTMENT_BY_ID),
        ("POST", paths.SUBMIT),
        ("GET", paths.ORDERS),
        ("GET", paths.ORDER),
    } | {(op.method, op.path) for op in MERCH_OPERATIONS}
    assert served == expected


def test_operations_with_a_body_have_a_request_model_and_ids_come_from_the_template() -> None:
    for operation in OPERATIONS:
        assert (operation.request_model is not None) == (operation.method in ("POST", "PUT"))
        assert operation.upstream is upstream_for_path(operation.path)
    by_id = {operation.operation_id: operation for operation in OPERATIONS}
    assert by_id["getOrder"].path_parameters == ("orderId",)
    assert by_id["fulfillmentOrderCreate"].validation_message == MERCH_VALIDATION_MESSAGE


def test_the_retired_submit_message_names_the_new_path() -> None:
    assert "POST /api/v1/order/submit" in RETIRED_SUBMIT_MESSAGE


def test_x_transaction_id_makes_writes_idempotent_and_not_the_lookups_sent_as_post() -> None:
    idempotent = {operation.operation_id for operation in OPERATIONS if operation.idempotent}
    assert idempotent == {
        "createOrder",
        "enrichInstallation",
        "enrichShipping",
        "enrichBilling",
        "enrichCdg",
        "bookAppointment",
        "cancelAppointment",
        "submitOrder",
        "inventoryBackorderCreate",
        "itemSubstitutionCreate",
        "fulfillmentOrderCancel",
        "fulfillmentOrderCreate",
    }
