"""Valid example bodies (from API.md), shown in the OpenAPI document and used by tests."""

from typing import Any, Final

ORDER_ID: Final = "5f0c7a52-5a8e-4a4e-9d0b-0f1f1d2c3b4a"
SUB_ORDER_ID: Final = "8d7e6c5b-4a39-4281-9c1d-2e3f4a5b6c7d"
ORDER_ITEM_ID: Final = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
CDG_ID: Final = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"

KNOWN_GOOD_SITE_ADDRESS: Final[dict[str, Any]] = {
    "street": "2270 LAKESIDE BLVD",
    "city": "RICHARDSON",
    "state": "TX",
    "postalCode": "75082",
}

CREATE_ORDER: Final[dict[str, Any]] = {
    "quoteId": "Q-100234",
    "externalOrderId": "PO-7781",
    "customer": {"name": "Acme Dental", "accountNumber": "A-1001"},
    "contacts": {
        "primary": {
            "firstName": "Ana",
            "lastName": "Diaz",
            "email": "ana@acme.example",
            "phone": "2145550100",
        },
        "alternate": None,
    },
    "subOrders": [
        {
            "siteAddress": KNOWN_GOOD_SITE_ADDRESS,
            "items": [{"item": "100100068", "quantity": 2, "orderItemType": "EQUIPMENT"}],
        }
    ],
}

INSTALLATION: Final[dict[str, Any]] = {
    "orderId": ORDER_ID,
    "subOrderId": SUB_ORDER_ID,
    "installationContacts": [
        {"firstName": "Ana", "lastName": "Diaz", "phone": "2145550100", "email": "ana@acme.example"}
    ],
    "customerRequestedStartDate": "2025-12-08",
    "customerRequestedDueDate": "2025-12-19",
    "premiseNotes": "Gate code 4411, server room 2nd floor",
    "siteAddress": KNOWN_GOOD_SITE_ADDRESS,
}

SHIPPING: Final[dict[str, Any]] = {
    "orderId": ORDER_ID,
    "subOrderId": SUB_ORDER_ID,
    "shippingAddress": {"street": "3400 W Plano", "city": "Plano", "state": "TX", "zip": "95350-1232"},
    "emailIds": ["ship@acme.example"],
    "shippingNotes": "Dock B",
    "attentionTo": "Front desk",
}

BILLING: Final[dict[str, Any]] = {
    "orderId": ORDER_ID,
    "subOrderId": SUB_ORDER_ID,
    "quoteId": "Q-100234",
    "billingAccountName": "Acme Dental HQ",
    "invoiceNumber": None,
    "orderedItems": [
        {"orderItemId": ORDER_ITEM_ID, "unitPrice": 12.99, "currency": "USD", "billingFrequency": "ONE_TIME"}
    ],
}

CDG: Final[dict[str, Any]] = {"cdgName": "Acme Q4 rollout", "cdgId": None, "orderIds": [ORDER_ID]}

SUMMARY_BY_ORDER: Final[dict[str, Any]] = {"orderId": ORDER_ID}
SUMMARY_BY_CDG: Final[dict[str, Any]] = {"cdgId": CDG_ID}

APPOINTMENT_DATES_QUERY: Final[dict[str, Any]] = {"orderId": ORDER_ID, "subOrderId": SUB_ORDER_ID}

BOOK_APPOINTMENT: Final[dict[str, Any]] = {
    "orderId": ORDER_ID,
    "subOrderId": SUB_ORDER_ID,
    "startDate": "2025-12-08 08:00:00.000",
    "endDate": "2025-12-08 12:00:00.000",
}

SUBMIT_ORDER: Final[dict[str, Any]] = {"orderId": ORDER_ID}
SUBMIT_CDG: Final[dict[str, Any]] = {"cdgId": CDG_ID}

ORDER_LIST_QUERY: Final[dict[str, Any]] = {
    "externalOrderId": "PO-7781",
    "status": "DRAFT",
    "offset": 0,
    "limit": 20,
}
