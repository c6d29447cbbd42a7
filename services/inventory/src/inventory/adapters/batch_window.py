"""The batch window row: read by every write and by each replica's watcher, changed by operators."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from inventory.domain.batch_window import WindowRecord

_READ = "SELECT manual_since, manual_reason, skip_scheduled_until, now() AS now FROM batch_window"

_WRITE = """
UPDATE batch_window
SET manual_since = $1, manual_reason = $2, skip_scheduled_until = $3, updated_by = $4, updated_at = now()
"""


async def read(conn: asyncpg.Connection | asyncpg.Pool) -> tuple[WindowRecord, datetime]:
    """The stored record and the database clock."""
    row = await conn.fetchrow(_READ)
    if row is None:
        raise RuntimeError("the batch_window row is missing; run the migrations")
    return WindowRecord(row["manual_since"], row["manual_reason"], row["skip_scheduled_until"]), row["now"]


async def lock(conn: asyncpg.Connection) -> tuple[WindowRecord, datetime]:
    row = await conn.fetchrow(_READ + " FOR UPDATE")
    if row is None:
        raise RuntimeError("the batch_window row is missing; run the migrations")
    return WindowRecord(row["manual_since"], row["manual_reason"], row["skip_scheduled_until"]), row["now"]


async def write(conn: asyncpg.Connection, record: WindowRecord, updated_by: str) -> None:
    await conn.execute(
        _WRITE, record.manual_since, record.manual_reason, record.skip_scheduled_until, updated_by
    )
