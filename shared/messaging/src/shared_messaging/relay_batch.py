"""One relay batch: read outbox rows, hand them to the producer, collect the acknowledgements,
decide what is published, delete it.

Order per (topic, key): a row counts as published only if no earlier row of its key in the batch
failed; a row that failed before is sent alone, later rows of its key wait for it (`sendable`).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:1000] if str(error) else type(error).__name__


@dataclass(frozen=True)
class Row:
    id: int
    topic: str
    key: str | None
    value: bytes
    headers: list[tuple[str, bytes]]
    attempts: int

    @property
    def ordering_key(self) -> tuple[str, str] | None:
        return None if self.key is None else (self.topic, self.key)


@dataclass
class BatchOutcome:
    fetched: int = 0
    published: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    published_per_topic: Counter[str] = field(default_factory=Counter)


@dataclass
class InFlight:
    """A batch handed to the producer, its acknowledgements pending until `deadline`."""

    rows: list[Row]
    sent: list[Row]
    futures: dict[int, asyncio.Future[Any]]
    errors: dict[int, str]
    deadline: float

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]

    @property
    def whole(self) -> bool:
        """Every fetched row was sent (none held back behind a failed one of its key)."""
        return len(self.sent) == len(self.rows)

    def abandon(self) -> None:
        """Nobody will await the acknowledgements: retrieve late failures (no warnings)."""
        for future in self.futures.values():
            future.add_done_callback(_retrieve)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _header_value(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else str(value).encode()


async def fetch_rows(
    conn: asyncpg.Connection, table: str, limit: int, db_timeout: float, exclude: Sequence[int] = ()
) -> list[Row]:
    """The first `limit` rows in `id` order, except the ids in `exclude` (a batch in flight).

    Headers are read as JSON text and decoded with a single `json.loads` for the whole batch.
    """
    if exclude:
        records = await conn.fetch(
            f"""
            SELECT id, topic, key, payload::text AS value, headers::text AS headers, attempts
            FROM {table} WHERE id <> ALL($2::bigint[]) ORDER BY id LIMIT $1
            """,
            limit,
            list(exclude),
            timeout=db_timeout,
        )
    else:
        records = await conn.fetch(
            f"""
            SELECT id, topic, key, payload::text AS value, headers::text AS headers, attempts
            FROM {table} ORDER BY id LIMIT $1
            """,
            limit,
            timeout=db_timeout,
        )
    if not records:
        return []
    headers = json.loads("[" + ",".join(record["headers"] for record in records) + "]")
    return [
        Row(
            id=record["id"],
            topic=record["topic"],
            key=record["key"],
            value=record["value"].encode(),
            headers=[(name, _header_value(value)) for name, value in row_headers.items()],
            attempts=record["attempts"],
        )
        for record, row_headers in zip(records, headers, strict=True)
    ]


def sendable(rows: Sequence[Row]) -> list[Row]:
    """Rows to send now: a row that failed before goes alone; later rows of its key wait for it."""
    blocked: set[tuple[str, str]] = set()
    chosen: list[Row] = []
    for row in rows:
        key = row.ordering_key
        if key is not None and key in blocked:
            continue
        chosen.append(row)
        if key is not None and row.attempts > 0:
            blocked.add(key)
    return chosen


def unsent(rows: list[Row], reason: str) -> InFlight:
    """A batch none of whose sendable rows could be handed to a producer."""
    to_send = sendable(rows)
    deadline = asyncio.get_running_loop().time()
    return InFlight(rows, to_send, {}, {row.id: reason for row in to_send}, deadline)


async def start_sends(producer: AIOKafkaProducer, rows: list[Row], seconds: float) -> InFlight:
    """Hand the sendable rows to `producer` without awaiting their acknowledgements."""
    to_send = sendable(rows)
    batch = InFlight(rows, to_send, {}, {}, asyncio.get_running_loop().time() + seconds)
    try:
        async with asyncio.timeout_at(batch.deadline):  # one timer for the batch: cheap per record
            for row in to_send:
                try:
                    batch.futures[row.id] = await producer.send(
                        row.topic,
                        value=row.value,
                        key=None if row.key is None else row.key.encode(),
                        headers=row.headers,
                    )
                except Exception as error:
                    batch.errors[row.id] = describe(error)
    except TimeoutError:
        for row in to_send:
            if row.id not in batch.futures and row.id not in batch.errors:
                batch.errors[row.id] = "not sent within the send bound"
    return batch


async def await_acks(batch: InFlight) -> dict[int, str]:
    """Wait for the acknowledgements until the batch's deadline; the errors by row id (a sent row
    absent from it was acknowledged)."""
    errors = dict(batch.errors)
    futures = batch.futures
    if futures:
        remaining = max(0.0, batch.deadline - asyncio.get_running_loop().time())
        await asyncio.wait(futures.values(), timeout=remaining)
    for row_id, future in futures.items():
        if not future.done():
            # Not cancelled (that does not unsend); a late failure must not go unretrieved.
            future.add_done_callback(_retrieve)
            errors[row_id] = "not acknowledged within the send bound"
        elif future.cancelled():
            errors[row_id] = "send cancelled"
        elif (failure := future.exception()) is not None:
            errors[row_id] = describe(failure)
    return errors


def evaluate(batch: InFlight, errors: dict[int, str]) -> BatchOutcome:
    """Published: acknowledged rows with no failed row of their key before them in the batch."""
    outcome = BatchOutcome(fetched=len(batch.rows))
    failed_keys: set[tuple[str, str]] = set()
    for row in batch.sent:
        key = row.ordering_key
        if row.id in errors:
            outcome.failed[row.id] = errors[row.id]
            if key is not None:
                failed_keys.add(key)
        elif key is None or key not in failed_keys:
            outcome.published.append(row.id)
            outcome.published_per_topic[row.topic] += 1
        # else: acknowledged, but an earlier row of its key was not: it is sent again later.
    return outcome


async def mark(conn: asyncpg.Connection, table: str, outcome: BatchOutcome, db_timeout: float) -> None:
    """Delete the published rows, then count the failed ones' attempts: one statement each, no
    transaction (each is atomic; a crash in between only republishes or forgets one attempt)."""
    if outcome.published:
        await conn.execute(
            f"DELETE FROM {table} WHERE id = ANY($1::bigint[])", outcome.published, timeout=db_timeout
        )
    if outcome.failed:
        await conn.execute(
            f"""
            UPDATE {table} AS o SET attempts = o.attempts + 1, last_error = f.error
            FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE o.id = f.id
            """,
            list(outcome.failed),
            list(outcome.failed.values()),
            timeout=db_timeout,
        )
