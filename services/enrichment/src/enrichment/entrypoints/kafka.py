"""The topics this service consumes and the handler of each event type (inbox names are stable)."""

from enrichment.service_layer.appointment_read_model import (
    handle_appointment_booked,
    handle_appointment_cancelled,
)
from enrichment.service_layer.fulfillment_outcomes import handle_fulfillment_order_created
from shared_contracts import topics
from shared_messaging.consumer import NamedHandler
from shared_runtime import Consumes


def subscriptions() -> list[Consumes]:
    return [
        Consumes(
            topics.APPOINTMENTS,
            {
                "AppointmentBooked": NamedHandler("enrichment.appointment-booked", handle_appointment_booked),
                "AppointmentCancelled": NamedHandler(
                    "enrichment.appointment-cancelled", handle_appointment_cancelled
                ),
            },
        ),
        Consumes(
            topics.FULFILLMENT_ORDERS,
            {
                "FulfillmentOrderCreated": NamedHandler(
                    "enrichment.fulfillment-order-created", handle_fulfillment_order_created
                ),
            },
        ),
    ]
