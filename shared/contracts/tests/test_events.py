import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared_contracts import topics
from shared_contracts.events import (
    EVENT_TYPES,
    AppointmentBooked,
    AppointmentCancelled,
    BackorderAdjusted,
    Event,
    FulfillmentOrderCancelled,
    FulfillmentOrderCancelRequested,
    FulfillmentOrderCreated,
    FulfillmentOrderCreateRequested,
    InventoryBackorderRequested,
    InventoryReleased,
    InventoryReserved,
    ItemSubstituted,
    ItemSubstitutionRequested,
    OmsCommand,
    OrderCreated,
    OrderEnriched,
    OrderStatusChanged,
    OrderSubmitted,
    UnknownEventTypeError,
    decode_event,
    event_model,
    events_on,
    key_for,
)
from shared_contracts.merchandising import read_spec_sample

EVENTS_MD = Path(__file__).resolve().parents[3] / "docs" / "reference" / "design" / "EVENTS.md"

SITE: dict[str, Any] = {
    "street": "2270 LAKESIDE BLVD",
    "city": "RICHARDSON",
    "state": "TX",
    "postalCode": "75082",
}
SHIPPING: dict[str, Any] = {"street": "3400 W Plano", "city": "Plano", "state": "TX", "zip": "95350-1232"}
ITEM: dict[str, Any] = {
    "orderItemId": "oi-1",
    "item": "100100068",
    "quantity": 2,
    "orderItemType": "EQUIPMENT",
}
WINDOW: dict[str, Any] = {"startDate": "2025-12-08T08:00:00", "endDate": "2025-12-08T12:00:00"}
RESERVATION: dict[str, Any] = {
    "reservationId": "r-1",
    "customerOrderNo": "o-1",
    "fulfillOrderNo": "s-1",
    "lines": [
        {"item": "100100068", "location": 1521, "quantity": 2, "uom": "EA"},
        {"item": "100100076", "location": 1521, "quantity": 1.5, "uom": "EA"},
    ],
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "OrderCreated": {
        "orderId": "o-1",
        "contractId": "c-1",
        "spId": "sp-1",
        "quoteId": "Q-100234",
        "externalOrderId": "PO-7781",
        "source": "connector",
        "environment": "sandbox",
        "subOrders": [{"subOrderId": "s-1", "siteAddress": SITE, "items": [ITEM]}],
    },
    "OrderEnriched": {
        "orderId": "o-1",
        "subOrderId": "s-1",
        "step": "INSTALLATION",
        "data": {"premiseNotes": "Gate code 4411", "installationContacts": [{"firstName": "Ana"}]},
        "siteAddress": SITE,
        "customerRequestedStartDate": "2025-12-08",
        "customerRequestedDueDate": "2025-12-19",
    },
    "OrderSubmitted": {
        "orderId": "o-1",
        "spId": "sp-1",
        "quoteId": "Q-100234",
        "subOrders": [
            {
                "subOrderId": "s-1",
                "items": [ITEM],
                "shippingAddress": SHIPPING,
                "siteAddress": SITE,
                "appointment": {"appointmentId": "a-1", **WINDOW},
            }
        ],
        "customer": {
            "name": "Acme Dental",
            "accountNumber": "A-1001",
            "primaryContact": {"firstName": "Ana", "lastName": "Diaz", "email": "ana@acme.example"},
        },
    },
    "OrderStatusChanged": {"orderId": "o-1", "from": "DRAFT", "to": "SUBMITTED", "reason": "Order submitted"},
    "AppointmentBooked": {"appointmentId": "a-1", "orderId": "o-1", "subOrderId": "s-1", **WINDOW},
    "AppointmentCancelled": {"appointmentId": "a-1", "orderId": "o-1", "subOrderId": "s-1", **WINDOW},
    "BackorderAdjusted": {
        "item": "100050005",
        "location": 1521,
        "locationType": "S",
        "channelId": 1,
        "adjustment": 3,
        "backorderQuantity": 7.25,
        "uom": "EA",
    },
    "ItemSubstituted": {
        "customerOrderNo": "180008",
        "fulfillOrderNo": "180008",
        "location": 1311,
        "item": "101550001",
        "quantity": 0,
        "cancelledQuantity": 3,
        "uom": "EA",
        "itemLineNo": 1,
        "substitutes": [
            {"substituteItem": "100000198", "substituteItemQuantity": 3, "substituteItemQuantityUom": "EA"}
        ],
    },
    "InventoryReserved": RESERVATION,
    "InventoryReleased": {**RESERVATION, "reason": "CANCELLED"},
    "FulfillmentOrderCreated": {
        "customerOrderNo": "123124",
        "fulfillOrderNo": "123124",
        "orderId": "o-1",
        "subOrderId": "s-1",
        "reservationId": "r-1",
        "confirmationType": "C",
        "confirmationNo": 9999999,
        "fulfillLocation": 1521,
        "sourceLocationType": "SU",
        "sourceLocation": 2400,
        "details": [
            {"item": "100100068", "confirmedQuantity": 3, "confirmedQuantityUom": "EA", "itemLineNo": 1}
        ],
    },
    "FulfillmentOrderCancelled": {
        "customerOrderNo": "123124",
        "fulfillOrderNo": "123124",
        "fulfillLocation": 1521,
        "details": [{"item": "100100068", "cancelledQuantity": 3, "uom": "EA", "itemLineNo": 1}],
    },
    "FulfillmentOrderCreateRequested": json.loads(read_spec_sample("fulfillment_order_create_request")),
    "FulfillmentOrderCancelRequested": json.loads(read_spec_sample("fulfillment_order_cancel_request")),
    "InventoryBackorderRequested": json.loads(read_spec_sample("inventory_backorder_create_request")),
    "ItemSubstitutionRequested": json.loads(read_spec_sample("item_substitution_create_request")),
}

MINIMUM_FIELDS = {
    "OrderCreated": [
        "orderId", "contractId", "spId", "quoteId", "subOrders[].subOrderId", "subOrders[].siteAddress",
        "subOrders[].items[].orderItemId", "subOrders[].items[].item", "subOrders[].items[].quantity",
    ],
    "OrderEnriched": ["orderId", "subOrderId", "step"],
    "OrderSubmitted": [
        "orderId", "spId", "subOrders[].subOrderId", "subOrders[].items", "subOrders[].shippingAddress",
        "subOrders[].appointment.startDate", "subOrders[].appointment.endDate",
    ],
    "OrderStatusChanged": ["orderId", "from", "to", "reason"],
    "AppointmentBooked": ["appointmentId", "orderId", "subOrderId", "startDate", "endDate"],
    "AppointmentCancelled": ["appointmentId", "orderId", "subOrderId", "startDate", "endDate"],
    "BackorderAdjusted": [
        "item", "location", "locationType", "channelId", "adjustment", "backorderQuantity", "uom",
    ],
    "ItemSubstituted": [
        "customerOrderNo", "fulfillOrderNo", "location", "item", "quantity", "cancelledQuantity", "uom",
        "itemLineNo", "substitutes[].substituteItem", "substitutes[].substituteItemQuantity",
        "substitutes[].substituteItemQuantityUom",
    ],
    "InventoryReserved": [
        "reservationId", "customerOrderNo", "fulfillOrderNo",
        "lines[].item", "lines[].location", "lines[].quantity", "lines[].uom",
    ],
    "InventoryReleased": [
        "reservationId", "customerOrderNo", "fulfillOrderNo",
        "lines[].item", "lines[].location", "lines[].quantity", "lines[].uom",
    ],
    "FulfillmentOrderCreated": [
        "customerOrderNo", "fulfillOrderNo", "confirmationType", "confirmationNo", "fulfillLocation",
        "details[].item", "details[].confirmedQuantity", "details[].confirmedQuantityUom",
        "details[].itemLineNo",
    ],
    "FulfillmentOrderCancelled": [
        "customerOrderNo", "fulfillOrderNo", "details[].item", "details[].cancelledQuantity",
        "details[].itemLineNo",
    ],
}  # fmt: skip

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def example(event_type: str) -> Event:
    return event_model(event_type).model_validate(EXAMPLES[event_type])


def keys_outside_data(value: object) -> set[str]:
    if isinstance(value, list):
        return set().union(*(keys_outside_data(item) for item in value))
    if isinstance(value, dict):
        nested = (keys_outside_data(item) for key, item in value.items() if key != "data")
        return set(value).union(*nested)
    return set()


def has_path(value: object, path: list[str]) -> bool:
    if not path:
        return True
    head, *rest = path
    if not isinstance(value, dict):
        return False
    if head.endswith("[]"):
        items = value.get(head[:-2])
        return isinstance(items, list) and bool(items) and all(has_path(item, rest) for item in items)
    return head in value and has_path(value[head], rest)


def test_there_is_an_example_for_every_event_type():
    assert set(EXAMPLES) == set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_every_event_round_trips_through_json(event_type):
    event = example(event_type)
    assert decode_event(event_type, event.to_bytes()) == event
    assert decode_event(event_type, event.to_bytes().decode()) == event


@pytest.mark.parametrize("event_type", sorted(EXAMPLES))
def test_event_json_is_camel_case(event_type):
    dumped = json.loads(example(event_type).to_bytes())
    not_camel = sorted(key for key in keys_outside_data(dumped) if not CAMEL_CASE.match(key))
    assert not_camel == []


@pytest.mark.parametrize("event_type", sorted(MINIMUM_FIELDS))
def test_event_carries_the_minimum_fields_of_events_md(event_type):
    dumped = json.loads(example(event_type).to_bytes())
    missing = [path for path in MINIMUM_FIELDS[event_type] if not has_path(dumped, path.split("."))]
    assert missing == []


def test_python_names_are_snake_case():
    event = example("OrderStatusChanged")
    assert isinstance(event, OrderStatusChanged)
    assert (event.order_id, event.from_status, event.to_status) == ("o-1", "DRAFT", "SUBMITTED")
    built = OrderStatusChanged(
        order_id="o-1", from_status="DRAFT", to_status="SUBMITTED", reason="Order submitted"
    )
    assert built == event


def test_quantities_are_decimals_written_as_json_numbers():
    event = example("BackorderAdjusted")
    assert isinstance(event, BackorderAdjusted)
    assert event.backorder_quantity == Decimal("7.25")
    dumped = json.loads(event.to_bytes())
    assert (dumped["adjustment"], dumped["backorderQuantity"]) == (3, 7.25)


def test_typed_installation_fields_of_order_enriched():
    event = example("OrderEnriched")
    assert isinstance(event, OrderEnriched)
    assert event.customer_requested_start_date == date(2025, 12, 8)
    assert event.site_address is not None
    assert event.site_address.postal_code == "75082"
    assert event.data["premiseNotes"] == "Gate code 4411"


def test_order_submitted_without_customer_data():
    payload = {key: value for key, value in EXAMPLES["OrderSubmitted"].items() if key != "customer"}
    event = OrderSubmitted.model_validate(payload)
    assert event.customer is None
    assert event.sub_orders[0].appointment.start_date == datetime(2025, 12, 8, 8, 0)


def test_order_created_knows_its_environment():
    with pytest.raises(ValidationError) as refused:
        OrderCreated.model_validate({**EXAMPLES["OrderCreated"], "environment": "staging"})
    assert refused.value.errors()[0]["loc"] == ("environment",)


@pytest.mark.parametrize("event_type", sorted(set(EXAMPLES) - set(MINIMUM_FIELDS)))
def test_oms_commands_refuse_unknown_fields_like_the_http_services(event_type):
    model = event_model(event_type)
    assert issubclass(model, OmsCommand)
    with pytest.raises(ValidationError) as refused:
        model.model_validate({**EXAMPLES[event_type], "unexpected": 1})
    assert refused.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("event_type", sorted(MINIMUM_FIELDS))
def test_tolerant_reader_ignores_unknown_fields(event_type):
    payload = {**EXAMPLES[event_type], "addedInALaterRelease": {"x": 1}}
    assert event_model(event_type).model_validate(payload) == example(event_type)


def test_tolerant_reader_ignores_unknown_nested_fields():
    payload = json.loads(json.dumps(EXAMPLES["OrderCreated"]))
    payload["subOrders"][0]["items"][0]["colour"] = "blue"
    payload["subOrders"][0]["siteAddress"]["country"] = "US"
    assert OrderCreated.model_validate(payload) == example("OrderCreated")


def test_registry_covers_every_event_type():
    assert sorted(EVENT_TYPES) == sorted(
        [
            "OrderCreated", "OrderEnriched", "OrderSubmitted", "OrderStatusChanged",
            "AppointmentBooked", "AppointmentCancelled",
            "BackorderAdjusted", "ItemSubstituted", "InventoryReserved", "InventoryReleased",
            "FulfillmentOrderCreated", "FulfillmentOrderCancelled",
            "FulfillmentOrderCreateRequested", "FulfillmentOrderCancelRequested",
            "InventoryBackorderRequested", "ItemSubstitutionRequested",
        ]
    )  # fmt: skip


@pytest.mark.parametrize(("event_type", "model"), sorted(EVENT_TYPES.items()))
def test_event_type_is_the_class_name(event_type, model):
    assert model.__name__ == event_type
    assert model.event_type == event_type
    assert model.topic in topics.EVENT_TOPICS


def events_md_topics() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for row in EVENTS_MD.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`") or "<" in cells[0]:
            continue
        types = re.sub(r"\(.*?\)", "", cells[3])
        table[cells[0].strip("`")] = set(re.findall(r"\b[A-Z][a-z]+[A-Za-z]*\b", types))
    return table


def test_registry_matches_the_topic_table_of_events_md():
    table = events_md_topics()
    assert set(table) == set(topics.EVENT_TOPICS)
    for topic, event_types in table.items():
        assert {model.event_type for model in events_on(topic)} == event_types, topic
    assert set().union(*table.values()) == set(EVENT_TYPES)


def test_unknown_event_type():
    with pytest.raises(UnknownEventTypeError, match="OrderDeleted"):
        event_model("OrderDeleted")
    with pytest.raises(LookupError):
        decode_event("OrderDeleted", b"{}")


@pytest.mark.parametrize(
    ("event_type", "key"),
    [
        ("OrderCreated", "o-1"),
        ("OrderEnriched", "o-1"),
        ("OrderSubmitted", "o-1"),
        ("OrderStatusChanged", "o-1"),
        ("AppointmentBooked", "o-1"),
        ("AppointmentCancelled", "o-1"),
        ("BackorderAdjusted", "100050005@1521"),
        ("ItemSubstituted", "101550001@1311"),
        ("InventoryReserved", "100100068@1521"),
        ("InventoryReleased", "100100068@1521"),
        ("FulfillmentOrderCreated", "123124"),
        ("FulfillmentOrderCancelled", "123124"),
        ("FulfillmentOrderCreateRequested", "123124"),
        ("FulfillmentOrderCancelRequested", "123124"),
        ("InventoryBackorderRequested", "100050005"),
        ("ItemSubstitutionRequested", "180008"),
    ],
)
def test_key_for(event_type, key):
    assert key_for(example(event_type)) == key


def test_key_of_an_oms_command_without_items_is_empty():
    assert key_for(InventoryBackorderRequested.model_validate({"collectionSize": 0})) == ""
    assert key_for(FulfillmentOrderCancelRequested.model_validate({})) == ""
    assert key_for(ItemSubstitutionRequested.model_validate({"collectionSize": 0, "items": []})) == ""


def test_a_reservation_has_at_least_one_line():
    with pytest.raises(ValidationError) as refused:
        InventoryReserved.model_validate({**RESERVATION, "lines": []})
    assert refused.value.errors()[0]["loc"] == ("lines",)


def test_events_are_immutable():
    event = example("OrderStatusChanged")
    assert isinstance(event, OrderStatusChanged)
    with pytest.raises(ValidationError):
        event.reason = "changed"  # type: ignore[misc]


def test_oms_command_types_share_the_request_bodies():
    assert isinstance(example("FulfillmentOrderCreateRequested"), FulfillmentOrderCreateRequested)
    for model in (
        AppointmentBooked,
        AppointmentCancelled,
        FulfillmentOrderCreated,
        FulfillmentOrderCancelled,
    ):
        assert not issubclass(model, OmsCommand)
    assert InventoryReleased.topic == topics.INVENTORY_STOCK
    assert ItemSubstituted.topic == topics.INVENTORY_STOCK


def test_order_submitted_without_customer_omits_the_key() -> None:
    import json

    from shared_contracts.events import OrderSubmitted

    event = OrderSubmitted.model_validate({"orderId": "O-1", "spId": "SP", "subOrders": []})
    assert "customer" not in json.loads(event.to_bytes())
    with_customer = OrderSubmitted.model_validate(
        {"orderId": "O-1", "spId": "SP", "subOrders": [], "customer": {"name": "Acme"}}
    )
    assert json.loads(with_customer.to_bytes())["customer"]["name"] == "Acme"
