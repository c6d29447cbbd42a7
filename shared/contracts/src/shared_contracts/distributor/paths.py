"""The public distributor paths (API.md); the gateway serves them and forwards them unchanged."""

from typing import Final

API_PREFIX: Final = "/api/v1"

CREATE_ORDER: Final = "/api/v1/order"
INSTALLATION: Final = "/api/v1/order-enrichment/installation"
SHIPPING: Final = "/api/v1/order-enrichment/shipping"
BILLING: Final = "/api/v1/order-enrichment/billing"
CDG: Final = "/api/v1/order-enrichment/cdg"
ORDER_SUMMARY: Final = "/api/v1/order-summary"
SUBMIT: Final = "/api/v1/order/submit"
ORDERS: Final = "/api/v1/orders"
ORDER: Final = "/api/v1/order/{orderId}"
APPOINTMENT_DATES: Final = "/api/v1/service-appointment/dates"
APPOINTMENT: Final = "/api/v1/service-appointment"
APPOINTMENT_BY_ID: Final = "/api/v1/service-appointment/{appointmentId}"

RETIRED_SUBMIT: Final = "/api/v1/submit"
"""The old submit path: answers 404 with a message naming `POST /api/v1/order/submit`."""

ENRICHMENT_PATHS: Final = (
    CREATE_ORDER,
    INSTALLATION,
    SHIPPING,
    BILLING,
    CDG,
    ORDER_SUMMARY,
    SUBMIT,
    ORDERS,
    ORDER,
)
"""Served by the enrichment service."""

APPOINTMENT_PATHS: Final = (APPOINTMENT_DATES, APPOINTMENT, APPOINTMENT_BY_ID)
"""Served by the appointment service."""
