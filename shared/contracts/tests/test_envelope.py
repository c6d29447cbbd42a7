import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared_contracts.envelope import (
    CE_ID,
    CE_SPECVERSION,
    CE_SUBJECT,
    CE_TIME,
    CE_TYPE,
    CONTENT_TYPE,
    TRACEPARENT,
    X_TRACE_ID,
    X_TRANSACTION_ID,
    CloudEventMeta,
    EnvelopeError,
    external_meta,
    format_time,
    new_meta,
)

TRACEPARENT_VALUE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def full_meta() -> CloudEventMeta:
    return new_meta(
        "OrderCreated",
        "enrichment",
        "order-1",
        transaction_id="tx-1",
        x_trace_id="trace-1",
        traceparent=TRACEPARENT_VALUE,
    )


def replaced(headers: list[tuple[str, bytes]], name: str, value: bytes) -> list[tuple[str, bytes]]:
    return [(key, value if key == name else old) for key, old in headers]


def test_new_meta_fills_id_time_and_source():
    before = datetime.now(UTC)
    meta = new_meta("OrderCreated", "enrichment", "order-1")
    assert uuid.UUID(meta.id).version == 4
    assert before <= meta.time <= datetime.now(UTC)
    assert meta.source == "/services/enrichment"
    assert (meta.type, meta.subject) == ("OrderCreated", "order-1")
    assert meta.transaction_id is None
    assert meta.x_trace_id is None


def test_headers_are_the_cloudevents_binary_mode_ones():
    headers = dict(full_meta().to_headers())
    assert headers[CE_SPECVERSION] == b"1.0"
    assert headers[CE_TYPE] == b"OrderCreated"
    assert headers["ce_source"] == b"/services/enrichment"
    assert headers[CE_SUBJECT] == b"order-1"
    assert headers[CONTENT_TYPE] == b"application/json"
    assert headers[TRACEPARENT] == TRACEPARENT_VALUE.encode()
    assert headers[X_TRACE_ID] == b"trace-1"
    assert headers[X_TRANSACTION_ID] == b"tx-1"
    assert headers[CE_TIME].endswith(b"Z")


def test_absent_optional_headers_are_not_sent():
    names = [name for name, _ in new_meta("OrderCreated", "enrichment", "order-1").to_headers()]
    assert TRACEPARENT not in names
    assert X_TRACE_ID not in names
    assert X_TRANSACTION_ID not in names


def test_round_trip_through_kafka_headers():
    meta = full_meta()
    assert CloudEventMeta.from_headers(meta.to_headers()) == meta


def test_round_trip_through_a_mapping_of_bytes_or_text():
    meta = full_meta()
    as_bytes = dict(meta.to_headers())
    as_text = {name: value.decode() for name, value in meta.to_headers()}
    assert CloudEventMeta.from_headers(as_bytes) == meta
    assert CloudEventMeta.from_headers(as_text) == meta


def test_time_is_written_in_utc():
    moment = datetime(2025, 12, 8, 8, 0, tzinfo=timezone(timedelta(hours=-6)))
    assert format_time(moment) == "2025-12-08T14:00:00.000000Z"


@pytest.mark.parametrize(
    "missing", ["ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time", "ce_subject"]
)
def test_a_missing_required_header_is_refused(missing):
    headers = [(name, value) for name, value in full_meta().to_headers() if name != missing]
    with pytest.raises(EnvelopeError, match=f"missing CloudEvents headers: {missing}"):
        CloudEventMeta.from_headers(headers)


def test_every_missing_header_is_named():
    with pytest.raises(EnvelopeError, match="ce_specversion, ce_id, ce_type, ce_source, ce_time, ce_subject"):
        CloudEventMeta.from_headers({X_TRACE_ID: "trace-1"})


def test_a_header_with_no_value_counts_as_missing():
    headers: list[tuple[str, bytes | None]] = [
        (name, None if name == CE_ID else value) for name, value in full_meta().to_headers()
    ]
    with pytest.raises(EnvelopeError, match="missing CloudEvents headers: ce_id"):
        CloudEventMeta.from_headers(headers)


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        (CE_ID, b"not-a-uuid", "header ce_id is malformed"),
        (CE_TIME, b"yesterday", "header ce_time is malformed"),
        (CE_TIME, b"2025-12-08T14:00:00", "header ce_time is malformed .*timezone"),
        (CE_TYPE, b"", "header ce_type is malformed"),
        (CE_SPECVERSION, b"0.3", "ce_specversion must be '1.0'"),
        (CONTENT_TYPE, b"application/avro", "content-type must be 'application/json'"),
        (CE_SUBJECT, b"\xff\xfe", "header ce_subject is not UTF-8"),
    ],
)
def test_a_malformed_header_is_refused(header, value, message):
    with pytest.raises(EnvelopeError, match=message):
        CloudEventMeta.from_headers(replaced(full_meta().to_headers(), header, value))


def test_envelope_error_is_a_value_error():
    assert issubclass(EnvelopeError, ValueError)


def test_json_content_type_with_parameters_is_accepted():
    meta = full_meta()
    headers = replaced(meta.to_headers(), CONTENT_TYPE, b"application/json; charset=utf-8")
    assert CloudEventMeta.from_headers(headers) == meta


def test_header_names_are_matched_case_insensitively():
    meta = full_meta()
    assert CloudEventMeta.from_headers([(name.upper(), value) for name, value in meta.to_headers()]) == meta


def test_a_cloudevents_header_given_twice_with_different_values_is_refused():
    headers = [*full_meta().to_headers(), (CE_ID, str(uuid.uuid4()).encode())]
    with pytest.raises(EnvelopeError, match="ce_id is given twice"):
        CloudEventMeta.from_headers(headers)


def test_the_id_is_kept_in_canonical_form():
    meta = full_meta()
    headers = replaced(meta.to_headers(), CE_ID, meta.id.upper().encode())
    assert CloudEventMeta.from_headers(headers).id == meta.id


def test_external_message_needs_only_a_type():
    received_at = datetime(2025, 12, 8, 14, 0, tzinfo=UTC)
    headers = {CE_TYPE: b"FulfillmentOrderCreateRequested", X_TRACE_ID: b"t-1", X_TRANSACTION_ID: b"tx-9"}
    meta = external_meta(
        headers, topic="oms.fulfillment-order.v1", partition=2, offset=41, key="123124", timestamp=received_at
    )
    assert meta.type == "FulfillmentOrderCreateRequested"
    assert meta.source == "/external/oms.fulfillment-order.v1"
    assert (meta.subject, meta.time) == ("123124", received_at)
    assert (meta.x_trace_id, meta.transaction_id) == ("t-1", "tx-9")
    again = external_meta(
        headers, topic="oms.fulfillment-order.v1", partition=2, offset=41, key="123124", timestamp=received_at
    )
    assert again.id == meta.id
    other = external_meta(
        headers, topic="oms.fulfillment-order.v1", partition=2, offset=42, key="123124", timestamp=received_at
    )
    assert other.id != meta.id


def test_a_record_at_the_same_position_of_a_recreated_topic_is_another_event():
    headers = {CE_TYPE: b"InventoryBackorderRequested"}
    first = external_meta(
        headers, topic="oms.b", partition=0, offset=0, key=None, timestamp=datetime(2026, 1, 5, tzinfo=UTC)
    )
    after_recreation = external_meta(
        headers, topic="oms.b", partition=0, offset=0, key=None, timestamp=datetime(2026, 3, 9, tzinfo=UTC)
    )
    assert after_recreation.id != first.id


def test_external_message_keeps_the_attributes_it_has():
    meta = full_meta()
    derived = external_meta(
        meta.to_headers(), topic="t", partition=0, offset=0, key=None, timestamp=datetime.now(UTC)
    )
    assert derived == meta


def test_external_message_without_a_type_is_refused():
    with pytest.raises(EnvelopeError, match="missing CloudEvents header: ce_type"):
        external_meta({}, topic="t", partition=0, offset=0, key=None, timestamp=datetime.now(UTC))
