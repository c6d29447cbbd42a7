"""Trace context in Kafka message headers (`traceparent`, `baggage`, `x-trace-id`).

aiokafka hands headers over as `list[tuple[str, bytes]]`; FastStream as a `dict` whose values
may be `str` or `bytes`. Both go through the global propagator (`install_propagators`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context as context_api
from opentelemetry import propagate
from opentelemetry.context import Context

KafkaHeaders = Sequence[tuple[str, bytes | str | None]] | Mapping[str, bytes | str | None]
"""Headers as aiokafka (list of tuples) or FastStream (mapping) give them."""


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _normalize(headers: KafkaHeaders) -> dict[str, list[str]]:
    """Lower-case names, text values, repeated headers kept in order (the first one is used)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    normalized: dict[str, list[str]] = {}
    for name, value in items:
        if value is None:
            continue
        normalized.setdefault(name.lower(), []).append(_decode(value))
    return normalized


def inject_into_headers(
    headers: dict[str, str] | None = None, context: Context | None = None
) -> dict[str, str]:
    """Write `traceparent`, `baggage` and `x-trace-id` of `context` (default: current) into
    `headers` (a new dict when none is given) and return it."""
    carrier: dict[str, str] = {} if headers is None else headers
    propagate.inject(carrier, context=context)
    return carrier


def extract_from_headers(headers: KafkaHeaders) -> Context:
    """The context a consumer should continue: trace, baggage and the raw x-trace-id."""
    return propagate.extract(_normalize(headers))


def to_kafka_headers(headers: Mapping[str, str]) -> list[tuple[str, bytes]]:
    """`{"name": "value"}` as aiokafka producer headers (`[("name", b"value")]`)."""
    return [(name, value.encode()) for name, value in headers.items()]


@contextmanager
def context_from_headers(headers: KafkaHeaders) -> Iterator[Context]:
    """Attach the context extracted from `headers` for the duration of the block."""
    ctx = extract_from_headers(headers)
    token = context_api.attach(ctx)
    try:
        yield ctx
    finally:
        context_api.detach(token)
