"""FastStream glue of the batch subscriber: the records as the body, a parser tolerant of odd headers."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import ConsumerRecord
from faststream.message import StreamMessage


def header(headers: Sequence[tuple[str, bytes | None]], name: str) -> str | None:
    """The value of header `name` (case-insensitive) as text, or None when missing or empty."""
    for key, value in headers:
        if key.lower() == name and value:
            return value.decode("utf-8", errors="replace")
    return None


async def raw_records(message: StreamMessage[Any]) -> Any:
    """Decoder: the subscriber's function gets the aiokafka records themselves (parsing values is
    ours: bad JSON -> DLQ). Taking them as the body, typed `Any`, rather than through a
    `KafkaMessage` annotation spares FastStream's dependency injection a worker-thread hop (it
    resolves that context value with a synchronous call in a thread)."""
    return message.raw_message


Records = tuple[ConsumerRecord[Any, Any], ...]


async def tolerant_parser(
    records: Records, original: Callable[[Records], Awaitable[StreamMessage[Any]]]
) -> StreamMessage[Any]:
    """FastStream's parser fails on a header that is not UTF-8 or has no value, and records that
    fail to parse would be skipped without a trace; parse cleaned copies instead, keeping the
    original records (handling reads their own headers; the DLQ keeps them)."""
    try:
        return await original(records)
    except (UnicodeDecodeError, AttributeError):
        cleaned = tuple(
            dataclasses.replace(
                record,
                headers=[
                    (name, (value or b"").decode("utf-8", errors="replace").encode())
                    for name, value in record.headers
                ],
            )
            for record in records
        )
        message = await original(cleaned)
        message.raw_message = records
        return message
