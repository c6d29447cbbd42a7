"""Stored order details -> the public summary and status bodies (pure mapping)."""

from collections.abc import Mapping
from typing import Any

from enrichment.adapters.appointments_repository import Booking
from enrichment.adapters.fulfillment_repository import FulfillmentOutcome
from enrichment.adapters.order_details import OrderDetails, SubOrderDetails
from enrichment.domain.steps import SUBMIT_ORDER, Step
from shared_contracts.distributor import (
    AppointmentData,
    BillingData,
    InstallationData,
    OrderStatusView,
    OrderSummary,
    ShippingData,
    StatusChange,
    StepStatus,
    SubOrderStatus,
    SubOrderSummary,
    SummaryAddress,
    SummaryItem,
)
from shared_contracts.distributor import FulfillmentOutcome as FulfillmentOutcomeView


def _address(stored: Mapping[str, Any]) -> SummaryAddress:
    return SummaryAddress.model_validate(stored)


def _steps(sub_order: SubOrderDetails, booking: Booking | None) -> list[StepStatus]:
    statuses = []
    for step in SUBMIT_ORDER:
        if step is Step.SERVICE_APPOINTMENT:
            booked = booking is not None and booking.status == "CONFIRMED"
            statuses.append(StepStatus(step=step.value, status="COMPLETE" if booked else "PENDING"))
            continue
        record = sub_order.steps.get(step)
        statuses.append(
            StepStatus(
                step=step.value,
                status="PENDING" if record is None else "COMPLETE",
                completed_at=None if record is None else record.completed_at,
                trace_id=None if record is None else record.trace_id,
            )
        )
    return statuses


def _step_data(sub_order: SubOrderDetails, step: Step) -> dict[str, Any] | None:
    record = sub_order.steps.get(step)
    return None if record is None else record.data


def _sub_order(
    sub_order: SubOrderDetails, booking: Booking | None, outcome: FulfillmentOutcome | None
) -> SubOrderSummary:
    installation = _step_data(sub_order, Step.INSTALLATION)
    shipping = _step_data(sub_order, Step.SHIPPING)
    billing = _step_data(sub_order, Step.BILLING)
    return SubOrderSummary(
        sub_order_id=sub_order.sub_order_id,
        site_address=_address(sub_order.site_address),
        sub_order_items=[
            SummaryItem(
                order_item_id=item.order_item_id,
                item=item.item,
                quantity=item.quantity,
                order_item_type=item.order_item_type,
            )
            for item in sub_order.items
        ],
        steps=_steps(sub_order, booking),
        installation=None if installation is None else InstallationData.model_validate(installation),
        shipping=None if shipping is None else ShippingData.model_validate(shipping),
        billing=None if billing is None else BillingData.model_validate(billing),
        appointment=None
        if booking is None
        else AppointmentData(
            appointment_id=booking.appointment_id,
            status=booking.status,
            start_date=booking.start_date,
            end_date=booking.end_date,
        ),
        fulfillment=None
        if outcome is None
        else FulfillmentOutcomeView(
            confirmation_type=outcome.confirmation_type,
            confirmation_no=outcome.confirmation_no,
            fulfill_location=outcome.fulfill_location,
            confirmed_at=outcome.confirmed_at,
        ),
    )


def order_summary(
    details: OrderDetails, bookings: Mapping[str, Booking], outcomes: Mapping[str, FulfillmentOutcome]
) -> OrderSummary:
    return OrderSummary(
        order_id=details.order_id,
        contract_id=details.contract_id,
        quote_id=details.quote_id,
        external_order_id=details.external_order_id,
        cdg_id=details.cdg_id,
        source=details.source,
        order_status=details.status,
        created_at=details.created_at,
        customer_name=None if details.customer is None else details.customer.get("name"),
        sub_orders=[
            _sub_order(sub_order, bookings.get(sub_order.sub_order_id), outcomes.get(sub_order.sub_order_id))
            for sub_order in details.sub_orders
        ],
        status_history=[
            StatusChange(
                from_status=entry.from_status,
                status=entry.to_status,
                reason=entry.reason,
                changed_at=entry.changed_at,
                trace_id=entry.trace_id,
            )
            for entry in details.history
        ],
    )


def order_status_view(details: OrderDetails, outcomes: Mapping[str, FulfillmentOutcome]) -> OrderStatusView:
    return OrderStatusView(
        order_id=details.order_id,
        contract_id=details.contract_id,
        quote_id=details.quote_id,
        external_order_id=details.external_order_id,
        cdg_id=details.cdg_id,
        order_status=details.status,
        created_at=details.created_at,
        updated_at=details.updated_at,
        sub_orders=[
            SubOrderStatus(
                sub_order_id=sub_order_id,
                confirmation_type=None if outcome is None else outcome.confirmation_type,
                confirmation_no=None if outcome is None else outcome.confirmation_no,
            )
            for sub_order_id in details.sub_order_ids
            for outcome in [outcomes.get(sub_order_id)]
        ],
    )
