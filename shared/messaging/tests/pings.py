"""Pings as a producer sends them, and a handler recording the pings it applied in the `applied`
table (the `applied_table` fixture): shared by the consumer, lag and DLQ replay tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shared_contracts.envelope import new_meta
from shared_messaging.consumer import NamedHandler


def ping_headers(key: str, event_id: str | None = None, **extra: str) -> list[tuple[str, bytes]]:
    meta = new_meta("TestPing", "tests", key)
    if event_id is not None:
        meta = meta.model_copy(update={"id": event_id})
    return [*meta.to_headers(), *((name, value.encode()) for name, value in extra.items())]


def ping_value(key: str, seq: int) -> bytes:
    return json.dumps({"aggregateId": key, "seq": seq}).encode()


async def send_pings(send_raw: Any, topic: str, keys: Iterable[str], seqs: Iterable[int]) -> None:
    """Ping `seq` of every key, for each seq in turn (per key in order, as one producer sends them)."""
    for seq in seqs:
        for key in keys:
            await send_raw(topic, ping_value(key, seq), key=key.encode(), headers=ping_headers(key))


async def insert_applied(conn: Any, handler: str, event: Any) -> None:
    """One `applied` row: `handler` applied the ping `event`."""
    await conn.execute(
        "INSERT INTO applied (handler, aggregate_id, seq) VALUES ($1, $2, $3)",
        handler,
        event.aggregate_id,
        event.seq,
    )


def recorder(name: str = "apply"):
    """A handler inserting one `applied` row per call, with its own stable inbox name."""

    async def apply(conn: Any, event: Any, meta: Any) -> None:
        await insert_applied(conn, name, event)

    return NamedHandler(name, apply)


async def applied_rows(pool) -> list[tuple[str, str, int]]:
    rows = await pool.fetch("SELECT handler, aggregate_id, seq FROM applied ORDER BY id")
    return [(row["handler"], row["aggregate_id"], row["seq"]) for row in rows]
