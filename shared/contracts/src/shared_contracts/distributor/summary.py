"""Order summary: `POST /api/v1/order-summary` with `orderId` or `cdgId`."""

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field

from shared_contracts.distributor import examples
from shared_contracts.distributor.appointments import AppointmentStatus
from shared_contracts.distributor.selection import OrderOrCdg
from shared_contracts.distributor.types import AppointmentTimestamp, OrderStatus, Success
from shared_contracts.json_number import JsonDecimal
from shared_contracts.model import StrictCamelModel

StepName = Literal["INSTALLATION", "SHIPPING", "BILLING", "SERVICE_APPOINTMENT"]
StepState = Literal["COMPLETE", "PENDING"]
ConfirmationType = Literal["C", "P", "X", "R"]


class OrderSummaryRequest(OrderOrCdg):
    model_config = ConfigDict(
        json_schema_extra={"examples": [examples.SUMMARY_BY_ORDER, examples.SUMMARY_BY_CDG]}
    )


class SummaryAddress(StrictCamelModel):
    street: str
    city: str
    state: str
    postal_code: str | None = None
    zip: str | None = None


class SummaryContact(StrictCamelModel):
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None


class SummaryItem(StrictCamelModel):
    order_item_id: str
    item: str
    quantity: int
    order_item_type: str | None = None


class StepStatus(StrictCamelModel):
    step: StepName
    status: StepState
    completed_at: datetime | None = None
    trace_id: str | None = Field(default=None, description="x-trace-id of the request that completed it.")


class InstallationData(StrictCamelModel):
    installation_contacts: list[SummaryContact]
    customer_requested_start_date: date
    customer_requested_due_date: date
    premise_notes: str | None = None
    site_address: SummaryAddress


class ShippingData(StrictCamelModel):
    shipping_address: SummaryAddress
    email_ids: list[str]
    shipping_notes: str | None = None
    attention_to: str | None = None


class BilledItem(StrictCamelModel):
    order_item_id: str
    unit_price: JsonDecimal
    currency: str
    billing_frequency: str


class BillingData(StrictCamelModel):
    quote_id: str
    billing_account_name: str
    billing_account_invoice_number: str
    ordered_items: list[BilledItem]


class AppointmentData(StrictCamelModel):
    appointment_id: str
    status: AppointmentStatus
    start_date: AppointmentTimestamp
    end_date: AppointmentTimestamp


class FulfillmentOutcome(StrictCamelModel):
    confirmation_type: ConfirmationType = Field(description="C complete, P partial, X none, R reservation.")
    confirmation_no: int | None = Field(default=None, description="Purchase order or transfer number.")
    fulfill_location: int | None = None
    confirmed_at: datetime


class SubOrderSummary(StrictCamelModel):
    sub_order_id: str
    site_address: SummaryAddress
    sub_order_items: list[SummaryItem]
    steps: list[StepStatus] = Field(
        description="INSTALLATION, SHIPPING, BILLING, SERVICE_APPOINTMENT in order."
    )
    installation: InstallationData | None = None
    shipping: ShippingData | None = None
    billing: BillingData | None = None
    appointment: AppointmentData | None = None
    fulfillment: FulfillmentOutcome | None = None


class StatusChange(StrictCamelModel):
    from_status: OrderStatus | None = Field(default=None, description="Absent for the creation.")
    status: OrderStatus
    reason: str
    changed_at: datetime
    trace_id: str | None = Field(
        default=None, description="x-trace-id of the request or event that caused it."
    )


class OrderSummary(StrictCamelModel):
    order_id: str
    contract_id: str
    quote_id: str
    external_order_id: str | None = None
    cdg_id: str | None = None
    source: str | None = None
    order_status: OrderStatus
    created_at: datetime
    customer_name: str | None = Field(default=None, description="Absent when personal data is not kept.")
    sub_orders: list[SubOrderSummary]
    status_history: list[StatusChange] = Field(description="Oldest first.")


class OrderSummaryResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    cdg_id: str | None = None
    orders: list[OrderSummary]
