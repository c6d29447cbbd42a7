"""Enrichment of a sub-order (installation, shipping, billing) and grouping of orders (CDG)."""

from typing import Literal, Self

from pydantic import ConfigDict, Field, model_validator

from shared_contracts.distributor import examples
from shared_contracts.distributor.addresses import ShippingAddress, SiteAddress
from shared_contracts.distributor.orders import Contact
from shared_contracts.distributor.types import (
    CalendarDate,
    CurrencyCode,
    Email,
    Identifier,
    Money,
    Success,
    Text120,
    Text500,
    Text1000,
)
from shared_contracts.model import RequestModel, StrictCamelModel

MAX_INSTALLATION_CONTACTS = 5
MAX_EMAIL_IDS = 10
MAX_ORDERED_ITEMS = 100
MAX_CDG_ORDERS = 100

EnrichmentStepName = Literal["INSTALLATION", "SHIPPING", "BILLING", "CDG"]
BillingFrequency = Literal["ONE_TIME", "MONTHLY", "QUARTERLY", "ANNUALLY"]


class SubOrderTarget(RequestModel):
    order_id: Identifier = Field(description="The order; 1..64 characters.")
    sub_order_id: Identifier = Field(description="A sub-order of that order; 1..64 characters.")


class InstallationRequest(SubOrderTarget):
    """`PUT /api/v1/order-enrichment/installation`; repeating it replaces the installation data."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.INSTALLATION]})

    installation_contacts: list[Contact] = Field(min_length=1, max_length=MAX_INSTALLATION_CONTACTS)
    customer_requested_start_date: CalendarDate = Field(
        description="YYYY-MM-DD; today or later, <= the due date."
    )
    customer_requested_due_date: CalendarDate = Field(
        description="YYYY-MM-DD; today or later, >= the start date."
    )
    premise_notes: Text1000 | None = Field(default=None, description="1..1000 characters.")
    site_address: SiteAddress | None = Field(
        default=None, description="Defaults to the sub-order's site address. Uses `postalCode`."
    )


class ShippingRequest(SubOrderTarget):
    """`POST /api/v1/order-enrichment/shipping`; the address uses `zip`."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.SHIPPING]})

    shipping_address: ShippingAddress
    email_ids: list[Email] = Field(
        default_factory=list,
        max_length=MAX_EMAIL_IDS,
        description="At most 10 addresses for shipping notices.",
    )
    shipping_notes: Text500 | None = Field(default=None, description="1..500 characters.")
    attention_to: Text120 | None = Field(default=None, description="1..120 characters.")


class OrderedItemBilling(RequestModel):
    order_item_id: Identifier = Field(description="An item line of the sub-order; 1..64 characters.")
    unit_price: Money = Field(description="A JSON number >= 0, at most 12 digits, 4 after the point.")
    currency: CurrencyCode = Field(description="ISO 4217 code, e.g. `USD`.")
    billing_frequency: BillingFrequency


class BillingRequest(SubOrderTarget):
    """`POST /api/v1/order-enrichment/billing`; `quoteId` must be the order's."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BILLING]})

    quote_id: Identifier = Field(description="Must equal the order's quote id; 1..64 characters.")
    billing_account_name: Text120 = Field(description="1..120 characters.")
    invoice_number: Identifier | None = Field(
        default=None, description="1..64 characters; one is assigned when absent."
    )
    ordered_items: list[OrderedItemBilling] = Field(min_length=1, max_length=MAX_ORDERED_ITEMS)


class BillingResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    billing_account_name: str
    billing_account_invoice_number: str


class EnrichmentResponse(StrictCamelModel):
    """The answer to installation and shipping enrichment (API.md leaves the body open)."""

    status: Success = "SUCCESS"
    order_id: str
    sub_order_id: str
    step: EnrichmentStepName
    status_message: str


class CdgRequest(RequestModel):
    """`POST /api/v1/order-enrichment/cdg`: a new group (`cdgName`) or more orders for `cdgId`."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.CDG]})

    cdg_name: Text120 | None = Field(default=None, description="Required for a new group; 1..120 characters.")
    cdg_id: Identifier | None = Field(default=None, description="An existing group to add the orders to.")
    order_ids: list[Identifier] = Field(min_length=1, max_length=MAX_CDG_ORDERS, description="1..100 orders.")

    @model_validator(mode="after")
    def _names_a_group(self) -> Self:
        if self.cdg_id is None and self.cdg_name is None:
            raise ValueError("cdgName is required to create a group (or give cdgId to add to one)")
        if len(set(self.order_ids)) != len(self.order_ids):
            raise ValueError("orderIds must not repeat an order")
        return self


class CdgResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    cdg_id: str
    cdg_name: str
    order_ids: list[str] = Field(description="Every order of the group, oldest order first.")
