"""Events as Kafka records: key, value and CloudEvents headers, in both directions."""

from dataclasses import dataclass
from typing import Self

from shared_contracts.envelope import CloudEventMeta, HeadersInput, new_meta
from shared_contracts.events.base import Event
from shared_contracts.events.registry import decode_event, key_for


def meta_for(
    event: Event,
    source_service: str,
    *,
    transaction_id: str | None = None,
    x_trace_id: str | None = None,
    traceparent: str | None = None,
) -> CloudEventMeta:
    """New metadata for ``event``: its type, and its Kafka key as the subject."""
    return new_meta(
        event.event_type,
        source_service,
        key_for(event),
        transaction_id=transaction_id,
        x_trace_id=x_trace_id,
        traceparent=traceparent,
    )


@dataclass(frozen=True)
class OutgoingRecord:
    """What to send to Kafka for one event."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]

    @classmethod
    def of(cls, event: Event, meta: CloudEventMeta) -> Self:
        if meta.type != event.event_type:
            raise ValueError(f"metadata of a {meta.type} given for a {event.event_type}")
        return cls(event.topic, key_for(event).encode(), event.to_bytes(), meta.to_headers())


@dataclass(frozen=True)
class ReceivedEvent:
    """An event read from Kafka, with its metadata."""

    meta: CloudEventMeta
    event: Event


def receive(value: bytes | str, headers: HeadersInput) -> ReceivedEvent:
    """Read a record of a platform producer.

    Raises `EnvelopeError` for bad headers, `UnknownEventTypeError` for an unknown `ce_type` and
    pydantic's `ValidationError` for a value that does not fit the type. Records of external
    producers may carry only `ce_type`: read those with `envelope.external_meta` and `decode_event`.
    """
    meta = CloudEventMeta.from_headers(headers)
    return ReceivedEvent(meta, decode_event(meta.type, value))
