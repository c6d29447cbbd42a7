"""Writing events: one outbox row per event, in the caller's transaction.

The row carries everything the relay sends: topic, key, the JSON value and the headers
(CloudEvents `ce_*`, `content-type`, `traceparent`, `baggage`, `x-trace-id`, `x-transaction-id`),
captured now, so the relay publishes each event in the trace of the request that caused it.

Per-key order: the relay publishes in `id` order. Write an event after the statement that locks
its aggregate's row (the usual `UPDATE ... WHERE id = $1`), so two transactions on one aggregate
take their outbox ids in commit order.

Once the transaction commits, the relay publishing the schema is woken (`wakeup`).
"""

from __future__ import annotations

import json
import weakref
from typing import Any

import asyncpg

from shared_contracts.envelope import TRACEPARENT, X_TRACE_ID, CloudEventMeta, new_meta
from shared_contracts.events import Event, key_for
from shared_db.session_state import raw_connection
from shared_messaging.wakeup import watch_commit
from shared_observability.kafka_headers import inject_into_headers


async def add_event(
    conn: asyncpg.Connection,
    event: Event,
    *,
    topic: str | None = None,
    key: str | None = None,
    transaction_id: str | None = None,
    source_service: str | None = None,
) -> CloudEventMeta:
    """Stage `event` for publication; it is published only if the caller's transaction commits.

    `topic` and `key` default to the event's own (`Event.topic`, `key_for(event)`); the CloudEvents
    subject is always the aggregate id `key_for(event)`. `source_service` (for `ce_source`)
    defaults to the connection's current schema, which is the service's name.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("add_event() must run inside the transaction of the state change")
    if source_service is None:
        source_service = await _schema_of(conn)
    subject = key_for(event)
    trace_headers = inject_into_headers({})
    meta = new_meta(
        event.event_type,
        source_service,
        subject,
        transaction_id=transaction_id,
        x_trace_id=trace_headers.get(X_TRACE_ID),
        traceparent=trace_headers.get(TRACEPARENT),
    )
    headers = {name: value.decode() for name, value in meta.to_headers()}
    for name, value in trace_headers.items():
        headers.setdefault(name, value)
    schema = await conn.fetchval(
        """
        INSERT INTO outbox (event_id, topic, key, event_type, payload, headers)
        VALUES ($1::text::uuid, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)
        RETURNING current_schema()
        """,
        meta.id,
        topic or event.topic,
        subject if key is None else key,
        event.event_type,
        event.to_bytes().decode(),
        json.dumps(headers),
    )
    watch_commit(conn, str(schema))
    return meta


_schemas: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


async def _schema_of(conn: asyncpg.Connection) -> str:
    """The connection's current schema (the service's name), asked once per physical connection:
    a service's login role fixes its search path, and the pool's reset does not change it."""
    raw = raw_connection(conn)
    schema = _schemas.get(raw)
    if schema is None:
        schema = _schemas[raw] = str(await conn.fetchval("SELECT current_schema()"))
    return schema
