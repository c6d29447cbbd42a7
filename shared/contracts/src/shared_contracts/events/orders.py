"""Events of `orders.order.v1`, produced by enrichment and keyed by orderId."""

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field, JsonValue

from shared_contracts import topics
from shared_contracts.events.base import Event
from shared_contracts.events.common import (
    Contact,
    EnrichmentStep,
    Environment,
    OrderItem,
    OrderStatus,
    ShippingAddress,
    SiteAddress,
)
from shared_contracts.model import CamelModel


class OrderEvent(Event):
    """An event about one distributor order."""

    topic: ClassVar[str] = topics.ORDERS

    order_id: str

    def partition_key(self) -> str:
        return self.order_id


class CreatedSubOrder(CamelModel):
    sub_order_id: str
    site_address: SiteAddress
    items: list[OrderItem]


class OrderCreated(OrderEvent):
    """A distributor created an order, its contract and its sub-orders (status DRAFT)."""

    event_type: ClassVar[str] = "OrderCreated"

    contract_id: str
    sp_id: str
    quote_id: str
    external_order_id: str | None = None
    source: str | None = Field(default=None, description="The calling system (the `source` header).")
    environment: Environment
    sub_orders: list[CreatedSubOrder]


class OrderEnriched(OrderEvent):
    """One enrichment step of a sub-order (or, for CDG, of the order) was completed or replaced.

    `data` is the step's request as the API received it; the installation fields other services
    need are also typed.
    """

    event_type: ClassVar[str] = "OrderEnriched"

    sp_id: str | None = Field(
        default=None,
        description="The order's Solution Provider (as in OrderCreated); absent in older events.",
    )
    environment: Environment | None = Field(
        default=None, description="The order's environment (as in OrderCreated); absent in older events."
    )
    sub_order_id: str | None = Field(default=None, description="Absent for the order-level CDG step.")
    step: EnrichmentStep
    data: dict[str, JsonValue] = Field(default_factory=dict)
    site_address: SiteAddress | None = None
    customer_requested_start_date: date | None = None
    customer_requested_due_date: date | None = None


class AppointmentWindow(CamelModel):
    appointment_id: str | None = None
    start_date: datetime
    end_date: datetime


class SubmittedSubOrder(CamelModel):
    sub_order_id: str
    items: list[OrderItem]
    shipping_address: ShippingAddress
    site_address: SiteAddress | None = None
    appointment: AppointmentWindow


class OrderCustomer(CamelModel):
    """The ordering customer; personal data."""

    name: str
    account_number: str | None = None
    primary_contact: Contact | None = None


class OrderSubmitted(OrderEvent):
    """An order passed every step and was submitted for fulfillment."""

    event_type: ClassVar[str] = "OrderSubmitted"

    sp_id: str
    quote_id: str | None = None
    external_order_id: str | None = None
    cdg_id: str | None = Field(default=None, description="Set when the order was submitted with its CDG.")
    environment: Environment | None = None
    sub_orders: list[SubmittedSubOrder]
    customer: OrderCustomer | None = Field(
        default=None, description="Omitted when personal customer data must not persist."
    )

    def to_bytes(self) -> bytes:
        """Without customer data the `customer` key is absent, not null (EVENTS.md)."""
        exclude = {"customer"} if self.customer is None else None
        return self.model_dump_json(exclude=exclude).encode()


class OrderStatusChanged(OrderEvent):
    """The order's status moved from one value to another."""

    event_type: ClassVar[str] = "OrderStatusChanged"

    from_status: OrderStatus = Field(alias="from")
    to_status: OrderStatus = Field(alias="to")
    reason: str
