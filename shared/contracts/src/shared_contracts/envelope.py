"""CloudEvents 1.0 in Kafka binary mode: an event's metadata travels as message headers.

The value is the event's JSON data; the headers are those below (EVENTS.md). ``CloudEventMeta``
turns the metadata into aiokafka-style headers and back, refusing incomplete or malformed ones.
"""

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

CE_SPECVERSION: Final = "ce_specversion"
CE_ID: Final = "ce_id"
CE_TYPE: Final = "ce_type"
CE_SOURCE: Final = "ce_source"
CE_TIME: Final = "ce_time"
CE_SUBJECT: Final = "ce_subject"
CONTENT_TYPE: Final = "content-type"
TRACEPARENT: Final = "traceparent"
X_TRACE_ID: Final = "x-trace-id"
X_TRANSACTION_ID: Final = "x-transaction-id"
X_ERROR_CODE: Final = "x-error-code"
"""DLQ header: the error code of the failure that sent the message there."""
X_ERROR: Final = "x-error"
"""DLQ header: the standard error body, as JSON."""

SPEC_VERSION: Final = "1.0"
JSON_CONTENT_TYPE: Final = "application/json"

KafkaHeaders = Sequence[tuple[str, bytes | None]]
"""Headers as aiokafka gives and takes them."""
HeadersInput = KafkaHeaders | Mapping[str, str | bytes | None]
"""Headers as a list of (name, value) pairs or as a mapping (e.g. FastStream's decoded headers)."""

_HEADER_OF_FIELD: Final = {
    "id": CE_ID,
    "type": CE_TYPE,
    "source": CE_SOURCE,
    "subject": CE_SUBJECT,
    "time": CE_TIME,
    "traceparent": TRACEPARENT,
    "x_trace_id": X_TRACE_ID,
    "transaction_id": X_TRANSACTION_ID,
}
_REQUIRED_HEADERS: Final = (CE_SPECVERSION, CE_ID, CE_TYPE, CE_SOURCE, CE_TIME, CE_SUBJECT)


class EnvelopeError(ValueError):
    """The headers of a message are not a valid CloudEvents envelope."""


def service_source(service: str) -> str:
    """The ``ce_source`` of a platform service: ``/services/<name>``."""
    return f"/services/{service}"


def format_time(moment: datetime) -> str:
    """A ``ce_time`` value: RFC 3339 in UTC, e.g. ``2025-12-08T14:03:07.120000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class CloudEventMeta(BaseModel):
    """The CloudEvents attributes and trace headers of one message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="A UUID; consumers deduplicate on it.")
    type: str = Field(min_length=1, description="The event type, e.g. OrderCreated.")
    source: str = Field(min_length=1, description="The producer, e.g. /services/enrichment.")
    subject: str = Field(description="The id of the aggregate the event is about.")
    time: AwareDatetime
    traceparent: str | None = None
    x_trace_id: str | None = None
    transaction_id: str | None = None

    @field_validator("id")
    @classmethod
    def _canonical_uuid(cls, value: str) -> str:
        return str(uuid.UUID(value))

    def to_headers(self) -> list[tuple[str, bytes]]:
        """The Kafka headers of this metadata, ``(name, UTF-8 value)`` pairs."""
        headers = [
            (CE_SPECVERSION, SPEC_VERSION),
            (CE_ID, self.id),
            (CE_TYPE, self.type),
            (CE_SOURCE, self.source),
            (CE_TIME, format_time(self.time)),
            (CE_SUBJECT, self.subject),
            (CONTENT_TYPE, JSON_CONTENT_TYPE),
        ]
        optional = {
            TRACEPARENT: self.traceparent,
            X_TRACE_ID: self.x_trace_id,
            X_TRANSACTION_ID: self.transaction_id,
        }
        headers += [(name, value) for name, value in optional.items() if value is not None]
        return [(name, value.encode()) for name, value in headers]

    @classmethod
    def from_headers(cls, headers: HeadersInput) -> Self:
        """Read the metadata from Kafka headers; ``EnvelopeError`` when some are missing or malformed."""
        values = decode_headers(headers)
        missing = [name for name in _REQUIRED_HEADERS if name not in values]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        return cls._from_values(values)

    @classmethod
    def _from_values(cls, values: Mapping[str, str]) -> Self:
        specversion = values.get(CE_SPECVERSION, SPEC_VERSION)
        if specversion != SPEC_VERSION:
            raise EnvelopeError(f"header {CE_SPECVERSION} must be {SPEC_VERSION!r}, got {specversion!r}")
        content_type = values.get(CONTENT_TYPE, JSON_CONTENT_TYPE)
        if content_type.split(";")[0].strip().lower() != JSON_CONTENT_TYPE:
            raise EnvelopeError(f"header {CONTENT_TYPE} must be {JSON_CONTENT_TYPE!r}, got {content_type!r}")
        fields = {field: values[header] for field, header in _HEADER_OF_FIELD.items() if header in values}
        try:
            return cls.model_validate(fields)
        except ValidationError as error:
            problems = "; ".join(
                f"header {_HEADER_OF_FIELD[str(problem['loc'][0])]} is malformed ({problem['msg']})"
                for problem in error.errors()
            )
            raise EnvelopeError(problems) from error


def decode_headers(headers: HeadersInput) -> dict[str, str]:
    """Headers as a name -> text mapping: names lower-cased, values decoded from UTF-8, empty ones dropped.

    A CloudEvents header given twice with different values is an ``EnvelopeError``.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    decoded: dict[str, str] = {}
    for raw_name, raw_value in pairs:
        if raw_value is None:
            continue
        name = raw_name.lower()
        try:
            value = raw_value.decode() if isinstance(raw_value, bytes) else raw_value
        except UnicodeDecodeError as error:
            raise EnvelopeError(f"header {name} is not UTF-8") from error
        if name.startswith("ce_") and decoded.get(name, value) != value:
            raise EnvelopeError(f"header {name} is given twice with different values")
        decoded[name] = value
    return decoded


def new_meta(
    event_type: str,
    source_service: str,
    subject: str,
    *,
    transaction_id: str | None = None,
    x_trace_id: str | None = None,
    traceparent: str | None = None,
) -> CloudEventMeta:
    """Metadata of a new event produced by ``source_service``: a fresh UUID and the current UTC time."""
    return CloudEventMeta(
        id=str(uuid.uuid4()),
        type=event_type,
        source=service_source(source_service),
        subject=subject,
        time=datetime.now(UTC),
        traceparent=traceparent,
        x_trace_id=x_trace_id,
        transaction_id=transaction_id,
    )


def record_event_id(topic: str, partition: int, offset: int, timestamp: datetime) -> str:
    """The id of an external record that has no `ce_id`: its position and its timestamp.

    A redelivered record keeps both, so it keeps its id (and the inbox drops it). The timestamp is
    in it because a position alone is not unique for ever: a topic deleted and created again starts
    at offset 0, and its new records must not be taken for the old ones the inbox remembers.
    """
    millis = round(timestamp.timestamp() * 1000)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kafka:{topic}/{partition}/{offset}@{millis}"))


def external_meta(
    headers: HeadersInput,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: str | None,
    timestamp: datetime,
) -> CloudEventMeta:
    """Metadata of a message from an external producer, which must set only ``ce_type`` (EVENTS.md).

    Attributes it did not set are derived from the record: the id from its position and timestamp
    (`record_event_id`), the source from the topic, the subject from the key and the time from the
    record's timestamp. Attributes it did set are validated like ``from_headers``.
    """
    values = decode_headers(headers)
    if CE_TYPE not in values:
        raise EnvelopeError(f"missing CloudEvents header: {CE_TYPE}")
    derived = {
        CE_ID: record_event_id(topic, partition, offset, timestamp),
        CE_SOURCE: f"/external/{topic}",
        CE_SUBJECT: key or "",
        CE_TIME: format_time(timestamp),
    }
    return CloudEventMeta._from_values(derived | values)
