"""Value objects several order and appointment events share."""

from typing import Literal

from shared_contracts.model import CamelModel

Environment = Literal["sandbox", "production"]
"""The environment of the API client that owns the order."""

OrderStatus = Literal["DRAFT", "SUBMITTED", "CONFIRMED", "PARTIALLY_CONFIRMED", "BACKORDERED", "CANCELLED"]

EnrichmentStep = Literal["INSTALLATION", "SHIPPING", "BILLING", "CDG"]


class SiteAddress(CamelModel):
    """An installation site address (the distributor API writes the post code as `postalCode`)."""

    street: str
    city: str
    state: str
    postal_code: str


class ShippingAddress(CamelModel):
    """A shipping address (the distributor API writes the post code as `zip`)."""

    street: str
    city: str
    state: str
    zip: str


class Contact(CamelModel):
    """A person to contact about the order; personal data."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None


class OrderItem(CamelModel):
    """One item of a sub-order; `item` is a Merchandising item number."""

    order_item_id: str
    item: str
    quantity: int
    order_item_type: str | None = None
