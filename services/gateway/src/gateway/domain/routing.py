"""Every public operation: method, path, owning service, role, and the models of its bodies.

The gateway forwards an operation to its owning service's internal API with the same method, path,
query and body. Which service owns a path follows from its prefix (`upstream_for_path`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from pydantic import BaseModel

from gateway.domain.clients import Role
from gateway.domain.idempotency import applies_to
from shared_contracts import distributor as d
from shared_contracts.distributor import paths
from shared_contracts.merchandising import MERCH_BASE_PATH, MERCH_OPERATIONS, MerchOperation


class Upstream(StrEnum):
    ENRICHMENT = "enrichment"
    APPOINTMENT = "appointment"
    INVENTORY = "inventory"
    FULFILLMENT = "fulfillment"


_PREFIXES: Final[tuple[tuple[str, Upstream], ...]] = (
    (paths.APPOINTMENT, Upstream.APPOINTMENT),
    (paths.API_PREFIX, Upstream.ENRICHMENT),
    (f"{MERCH_BASE_PATH}/availableInventory", Upstream.INVENTORY),
    (f"{MERCH_BASE_PATH}/inventoryBackorder", Upstream.INVENTORY),
    (f"{MERCH_BASE_PATH}/itemSubstitution", Upstream.INVENTORY),
    (f"{MERCH_BASE_PATH}/fulfillmentOrder", Upstream.FULFILLMENT),
)
"""Path prefix (a whole number of segments) -> owning service; the first match wins."""

DISTRIBUTOR_VALIDATION_MESSAGE: Final = "Request validation failed; see validationErrors"
MERCH_VALIDATION_MESSAGE: Final = "Error found in validation of input payload"
"""The Merchandising specification's message for a payload that fails validation."""


def upstream_for_path(path: str) -> Upstream | None:
    """The service that owns `path` (first matching prefix), or None for no public path."""
    for prefix, upstream in _PREFIXES:
        if _under(path, prefix):
            return upstream
    return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def role_for_path(path: str) -> Role | None:
    if _under(path, paths.API_PREFIX):
        return Role.DISTRIBUTOR
    if _under(path, MERCH_BASE_PATH):
        return Role.MERCHANDISING
    return None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    """The path template, e.g. `/api/v1/order/{orderId}`."""
    summary: str
    success_status: int
    response_model: type[BaseModel]
    request_model: type[BaseModel] | None = None
    query_model: type[BaseModel] | None = None
    description: str = ""
    read_only: bool = False
    """A lookup, even when sent as POST: `x-transaction-id` makes it no idempotent request."""

    @property
    def upstream(self) -> Upstream:
        upstream = upstream_for_path(self.path)
        if upstream is None:
            raise ValueError(f"no service owns {self.path}")
        return upstream

    @property
    def role(self) -> Role:
        role = role_for_path(self.path)
        if role is None:
            raise ValueError(f"no role guards {self.path}")
        return role

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))

    @property
    def idempotent(self) -> bool:
        """Whether `x-transaction-id` makes a call of it idempotent (a write: ADR 0007, ADR 0021)."""
        return applies_to(self.method) and not self.read_only

    @property
    def tag(self) -> str:
        return "Merchandising" if self.role is Role.MERCHANDISING else "Distributor"

    @property
    def validation_message(self) -> str:
        if self.role is Role.MERCHANDISING:
            return MERCH_VALIDATION_MESSAGE
        return DISTRIBUTOR_VALIDATION_MESSAGE


DISTRIBUTOR_OPERATIONS: Final[tuple[Operation, ...]] = (
    Operation(
        "createOrder",
        "POST",
        paths.CREATE_ORDER,
        "Create an order, its contract and sub-orders (DRAFT)",
        201,
        d.CreateOrderResponse,
        d.CreateOrderRequest,
    ),
    Operation(
        "enrichInstallation",
        "PUT",
        paths.INSTALLATION,
        "Installation enrichment of a sub-order (repeating it replaces it)",
        200,
        d.EnrichmentResponse,
        d.InstallationRequest,
        description="Sandbox credentials accept only the mocked site addresses (else 422 `TEST_DATA`).",
    ),
    Operation(
        "enrichShipping",
        "POST",
        paths.SHIPPING,
        "Shipping enrichment of a sub-order (the address uses `zip`)",
        200,
        d.EnrichmentResponse,
        d.ShippingRequest,
    ),
    Operation(
        "enrichBilling",
        "POST",
        paths.BILLING,
        "Billing enrichment of a sub-order",
        200,
        d.BillingResponse,
        d.BillingRequest,
    ),
    Operation(
        "enrichCdg",
        "POST",
        paths.CDG,
        "Create a Customer Defined Group or add orders to one",
        200,
        d.CdgResponse,
        d.CdgRequest,
    ),
    Operation(
        "orderSummary",
        "POST",
        paths.ORDER_SUMMARY,
        "Summary of an order or of every order of a CDG",
        200,
        d.OrderSummaryResponse,
        d.OrderSummaryRequest,
        read_only=True,
    ),
    Operation(
        "submitOrder",
        "POST",
        paths.SUBMIT,
        "Submit an order or a whole CDG",
        200,
        d.SubmitResponse,
        d.SubmitRequest,
        description=(
            "Every sub-order needs installation, shipping, billing and a service appointment, checked "
            "in that order; the first missing one answers 409 `STEP_INCOMPLETE` "
            "(`Previous Step (<step>) is not complete.`)."
        ),
    ),
    Operation(
        "listOrders",
        "GET",
        paths.ORDERS,
        "Orders of the caller's Solution Provider, paged and filtered",
        200,
        d.OrderListResponse,
        query_model=d.OrderListQuery,
    ),
    Operation("getOrder", "GET", paths.ORDER, "One order and its status", 200, d.OrderStatusResponse),
    Operation(
        "appointmentDates",
        "GET",
        paths.APPOINTMENT_DATES,
        "Service appointment windows with capacity left",
        200,
        d.AppointmentDatesResponse,
        query_model=d.AppointmentDatesQuery,
        description=(
            "Needs installation enrichment (else 409 `Previous Step (Installation) is not complete.`)."
        ),
    ),
    Operation(
        "bookAppointment",
        "POST",
        paths.APPOINTMENT,
        "Book a service appointment window (booking again moves it)",
        201,
        d.BookAppointmentResponse,
        d.BookAppointmentRequest,
    ),
    Operation(
        "cancelAppointment",
        "DELETE",
        paths.APPOINTMENT_BY_ID,
        "Cancel a service appointment",
        200,
        d.BookAppointmentResponse,
    ),
)


def _merch_operation(operation: MerchOperation) -> Operation:
    name = operation.name.replace("/", "_")
    return Operation(
        operation_id=re.sub(r"_(\w)", lambda m: m.group(1).upper(), name),
        method=operation.method,
        path=operation.path,
        summary=f"Merchandising customer orders: {operation.name}",
        success_status=200,
        response_model=operation.response,
        request_model=operation.request,
        read_only=operation.read_only,
    )


MERCH_OPERATIONS_TABLE: Final[tuple[Operation, ...]] = tuple(_merch_operation(op) for op in MERCH_OPERATIONS)

OPERATIONS: Final[tuple[Operation, ...]] = DISTRIBUTOR_OPERATIONS + MERCH_OPERATIONS_TABLE

RETIRED_SUBMIT_PATH: Final = paths.RETIRED_SUBMIT
RETIRED_SUBMIT_MESSAGE: Final = (
    f"{paths.RETIRED_SUBMIT} does not exist; submit an order with POST {paths.SUBMIT}"
)
