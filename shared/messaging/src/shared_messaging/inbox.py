"""Idempotent consumers: remember which (event, handler) pairs were applied."""

from __future__ import annotations

import uuid

import asyncpg


async def claim(conn: asyncpg.Connection, event_id: uuid.UUID | str, handler: str) -> bool:
    """Record that `handler` applies `event_id`; True the first time, False on redelivery.

    Call it inside the transaction of the handler's effect: if that transaction rolls back, the
    claim goes with it and the event is applied on the next delivery.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("inbox.claim() must run inside the handler's transaction")
    status: str = await conn.execute(
        "INSERT INTO inbox (event_id, handler) VALUES ($1::text::uuid, $2) ON CONFLICT DO NOTHING",
        str(event_id),
        handler,
    )
    return status == "INSERT 0 1"
