import json

import pytest
from pydantic import ValidationError

from shared_contracts.envelope import CE_TYPE, new_meta
from shared_contracts.events import OrderStatusChanged, UnknownEventTypeError
from shared_contracts.messages import OutgoingRecord, meta_for, receive


def status_changed() -> OrderStatusChanged:
    return OrderStatusChanged.model_validate(
        {"orderId": "o-1", "from": "DRAFT", "to": "SUBMITTED", "reason": "x"}
    )


def test_an_event_becomes_a_record_and_back():
    event = status_changed()
    meta = meta_for(event, "enrichment", transaction_id="tx-1", x_trace_id="trace-1")
    record = OutgoingRecord.of(event, meta)
    assert (record.topic, record.key) == ("orders.order.v1", b"o-1")
    assert json.loads(record.value)["from"] == "DRAFT"
    assert (meta.type, meta.subject, meta.source) == ("OrderStatusChanged", "o-1", "/services/enrichment")
    received = receive(record.value, record.headers)
    assert received.meta == meta
    assert received.event == event


def test_metadata_of_another_type_is_refused():
    with pytest.raises(ValueError, match="metadata of a OrderCreated given for a OrderStatusChanged"):
        OutgoingRecord.of(status_changed(), new_meta("OrderCreated", "enrichment", "o-1"))


def test_receiving_an_unknown_type():
    headers = [
        (name, b"OrderDeleted" if name == CE_TYPE else value)
        for name, value in meta_for(status_changed(), "enrichment").to_headers()
    ]
    with pytest.raises(UnknownEventTypeError):
        receive(b"{}", headers)


def test_receiving_a_value_that_does_not_fit_the_type():
    headers = meta_for(status_changed(), "enrichment").to_headers()
    with pytest.raises(ValidationError):
        receive(b'{"orderId": "o-1"}', headers)
