"""Create order: `POST /api/v1/order` -> 201."""

from pydantic import ConfigDict, Field

from shared_contracts.distributor import examples
from shared_contracts.distributor.addresses import SiteAddress
from shared_contracts.distributor.types import (
    Email,
    Identifier,
    OrderStatus,
    Phone,
    Quantity,
    Success,
    Text30,
    Text60,
    Text120,
)
from shared_contracts.merchandising.types import ItemNumber
from shared_contracts.model import RequestModel, StrictCamelModel

MAX_SUB_ORDERS = 50
MAX_ITEMS_PER_SUB_ORDER = 100


class Customer(RequestModel):
    name: Text120 = Field(description="The ordering customer; 1..120 characters.")
    account_number: Text60 | None = Field(default=None, description="1..60 characters.")


class Contact(RequestModel):
    first_name: Text60 = Field(description="1..60 characters.")
    last_name: Text60 = Field(description="1..60 characters.")
    email: Email | None = Field(default=None, description="At most 254 characters.")
    phone: Phone | None = Field(default=None, description="7..20 characters: digits, blanks, + ( ) - .")


class Contacts(RequestModel):
    primary: Contact
    alternate: Contact | None = None


class NewOrderItem(RequestModel):
    item: ItemNumber = Field(description="A Merchandising item number; at most 25 characters.")
    quantity: Quantity = Field(description="A positive integer, at most 9999.")
    order_item_type: Text30 | None = Field(default=None, description="E.g. `EQUIPMENT`; 1..30 characters.")


class NewSubOrder(RequestModel):
    site_address: SiteAddress
    items: list[NewOrderItem] = Field(
        min_length=1, max_length=MAX_ITEMS_PER_SUB_ORDER, description="1..100 items."
    )


class CreateOrderRequest(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.CREATE_ORDER]})

    quote_id: Identifier = Field(description="The quote the order is placed against; 1..64 characters.")
    external_order_id: Identifier | None = Field(
        default=None,
        description="The distributor's own order reference (e.g. a PO number); 1..64 characters.",
    )
    customer: Customer
    contacts: Contacts
    sub_orders: list[NewSubOrder] = Field(
        min_length=1, max_length=MAX_SUB_ORDERS, description="1..50 sub-orders, one per installation site."
    )


class CreatedOrderItem(StrictCamelModel):
    order_item_id: str
    item: str
    quantity: int
    order_item_type: str | None = None


class CreatedSubOrder(StrictCamelModel):
    sub_order_id: str
    sub_order_items: list[CreatedOrderItem]


class CreateOrderResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    order_id: str
    contract_id: str
    order_status: OrderStatus
    sub_orders: list[CreatedSubOrder]
    status_message: str = "Order created"
