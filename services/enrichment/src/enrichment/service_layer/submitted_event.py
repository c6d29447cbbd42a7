"""OrderSubmitted: what fulfillment needs of a submitted order (customer only when it may persist)."""

from collections.abc import Mapping
from typing import Any

from enrichment.adapters.appointments_repository import Booking
from enrichment.adapters.order_details import OrderDetails, SubOrderDetails
from enrichment.domain.order import Order
from enrichment.domain.steps import Step
from enrichment.service_layer.context import RequestContext
from shared_contracts.events import OrderSubmitted
from shared_contracts.events.common import Contact, OrderItem, ShippingAddress, SiteAddress
from shared_contracts.events.orders import AppointmentWindow, OrderCustomer, SubmittedSubOrder


def _sub_order(sub_order: SubOrderDetails, booking: Booking) -> SubmittedSubOrder:
    installation = sub_order.steps[Step.INSTALLATION].data
    shipping = sub_order.steps[Step.SHIPPING].data
    return SubmittedSubOrder(
        sub_order_id=sub_order.sub_order_id,
        items=[
            OrderItem(
                order_item_id=item.order_item_id,
                item=item.item,
                quantity=item.quantity,
                order_item_type=item.order_item_type,
            )
            for item in sub_order.items
        ],
        shipping_address=ShippingAddress.model_validate(shipping["shippingAddress"]),
        site_address=SiteAddress.model_validate(installation.get("siteAddress", sub_order.site_address)),
        appointment=AppointmentWindow(
            appointment_id=booking.appointment_id, start_date=booking.start_date, end_date=booking.end_date
        ),
    )


def _customer(details: OrderDetails) -> OrderCustomer | None:
    if details.customer is None:
        return None
    contacts: dict[str, Any] = details.contacts or {}
    primary = contacts.get("primary")
    return OrderCustomer(
        name=details.customer["name"],
        account_number=details.customer.get("accountNumber"),
        primary_contact=None if primary is None else Contact.model_validate(primary),
    )


def order_submitted(
    order: Order,
    details: OrderDetails,
    bookings: Mapping[str, Booking],
    context: RequestContext,
    *,
    include_customer: bool,
) -> OrderSubmitted:
    """Every sub-order passed the submit gate, so each has installation, shipping and a booking."""
    return OrderSubmitted(
        order_id=order.order_id,
        sp_id=order.sp_id,
        quote_id=order.quote_id,
        external_order_id=details.external_order_id,
        cdg_id=order.cdg_id,
        environment=context.tenant.environment,
        sub_orders=[
            _sub_order(sub_order, bookings[sub_order.sub_order_id]) for sub_order in details.sub_orders
        ],
        customer=_customer(details) if include_customer else None,
    )
