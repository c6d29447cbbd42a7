"""Writing events: one outbox row per event, in the caller's transaction.

The row carries everything the relay sends: topic, key, the JSON value and the headers
(CloudEvents `ce_*`, `content-type`, `traceparent`, `baggage`, `x-trace-id`, `x-transaction-id`),
captured now, so the relay publishes each event in the trace of the request that caused it.

Per-key order: the relay publishes in `id` order. Write an event after the statement that locks
its aggregate's row (the usual `UPDATE ... WHERE id = $1`), so two transactions on one aggregate
take their outbox ids in commit order.

Once the transaction commits, the relay publishing the schema is woken (`wakeup`). A caller
that writes the row in a single statement of its own uses `outbox_row` and wakes it itself.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared_contracts.envelope import TRACEPARENT, X_TRACE_ID, CloudEventMeta, new_meta
from shared_contracts.events import Event, key_for
from shared_db.session_state import raw_connection
from shared_messaging.wakeup import outbox_committed, watch_commit
from shared_observability.kafka_headers import inject_into_headers


@dataclass(frozen=True)
class OutboxRow:
    """An event's outbox row, for a caller that writes it in a statement of its own: typically one
    data-modifying CTE with the state change, run on its own without BEGIN / COMMIT (a single
    statement is atomic), which saves two round trips. Once that statement has returned, call
    `committed()` to wake the relay."""

    meta: CloudEventMeta
    schema: str
    values: tuple[Any, ...]

    def insert(self, first: int) -> str:
        """`INSERT INTO outbox ...` with the row's values as parameters `$first` onwards."""
        p = [f"${first + offset}" for offset in range(len(self.values))]
        return (
            "INSERT INTO outbox (event_id, topic, key, event_type, payload, headers) "
            f"VALUES ({p[0]}::text::uuid, {p[1]}, {p[2]}, {p[3]}, {p[4]}::text::jsonb, {p[5]}::text::jsonb)"
        )

    def committed(self) -> None:
        outbox_committed(self.schema)


async def outbox_row(
    conn: asyncpg.Connection,
    event: Event,
    *,
    topic: str | None = None,
    key: str | None = None,
    transaction_id: str | None = None,
    source_service: str | None = None,
) -> OutboxRow:
    """The outbox row of `event`; nothing is written.

    `topic` and `key` default to the event's own (`Event.topic`, `key_for(event)`); the CloudEvents
    subject is always the aggregate id `key_for(event)`. `source_service` (for `ce_source`)
    defaults to the connection's current schema, which is the service's name.
    """
    schema = await _schema_of(conn)
    subject = key_for(event)
    trace_headers = inject_into_headers({})
    meta = new_meta(
        event.event_type,
        source_service or schema,
        subject,
        transaction_id=transaction_id,
        x_trace_id=trace_headers.get(X_TRACE_ID),
        traceparent=trace_headers.get(TRACEPARENT),
    )
    headers = {name: value.decode() for name, value in meta.to_headers()}
    for name, value in trace_headers.items():
        headers.setdefault(name, value)
    values = (
        meta.id,
        topic or event.topic,
        subject if key is None else key,
        event.event_type,
        event.to_bytes().decode(),
        json.dumps(headers),
    )
    return OutboxRow(meta, schema, values)


async def add_event(
    conn: asyncpg.Connection,
    event: Event,
    *,
    topic: str | None = None,
    key: str | None = None,
    transaction_id: str | None = None,
    source_service: str | None = None,
) -> CloudEventMeta:
    """Stage `event` for publication (arguments as `outbox_row`); it is published only if the
    caller's transaction commits."""
    if not conn.is_in_transaction():
        raise RuntimeError("add_event() must run inside the transaction of the state change")
    row = await outbox_row(
        conn, event, topic=topic, key=key, transaction_id=transaction_id, source_service=source_service
    )
    await conn.execute(row.insert(1), *row.values)
    watch_commit(conn, row.schema)
    return row.meta


_schemas: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


async def _schema_of(conn: asyncpg.Connection) -> str:
    """The connection's current schema (the service's name), asked once per physical connection:
    a service's login role fixes its search path, and the pool's reset does not change it."""
    raw = raw_connection(conn)
    schema = _schemas.get(raw)
    if schema is None:
        schema = _schemas[raw] = str(await conn.fetchval("SELECT current_schema()"))
    return schema
