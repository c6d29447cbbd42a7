"""Requests applied once per `x-transaction-id`: the claim is an inbox row in the effect's transaction."""

from __future__ import annotations

import uuid

import asyncpg

from shared_messaging import claim

_NAMESPACE = uuid.UUID("6b0d3f64-41c8-4f43-9a57-2f1f3b1d0a51")


async def claim_transaction(conn: asyncpg.Connection, scope: str, transaction_id: str) -> bool:
    """True the first time `transaction_id` is seen in `scope` (e.g. `http:<client>:backorder`);
    a retry of an applied request finds the claim and must change nothing."""
    key = uuid.uuid5(_NAMESPACE, f"{scope}\x00{transaction_id}")
    return await claim(conn, key, f"inventory.request:{scope}")
