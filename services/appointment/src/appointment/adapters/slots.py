"""Windows with capacity (`slots`). Capacity is taken with one conditional UPDATE, never by reading
`booked` and writing it back; the CHECK constraint keeps `booked` within 0..capacity regardless."""

from datetime import date, datetime, time, timedelta
from typing import TypeAlias

import asyncpg

from appointment.domain.windows import Window

Executor: TypeAlias = asyncpg.Connection | asyncpg.Pool


async def slot_id_of(conn: Executor, territory_id: str, window: Window) -> int | None:
    """The slot of exactly this window in the territory (None: the window does not exist there)."""
    slot_id: int | None = await conn.fetchval(
        "SELECT slot_id FROM slots WHERE territory_id = $1 AND start_at = $2 AND end_at = $3",
        territory_id,
        window.start,
        window.end,
    )
    return slot_id


async def take(conn: asyncpg.Connection, slot_id: int) -> bool:
    """One place in the slot, if one is left (False: full)."""
    taken = await conn.fetchval(
        "UPDATE slots SET booked = booked + 1 WHERE slot_id = $1 AND booked < capacity RETURNING slot_id",
        slot_id,
    )
    return taken is not None


async def release(conn: asyncpg.Connection, slot_id: int) -> None:
    await conn.execute("UPDATE slots SET booked = booked - 1 WHERE slot_id = $1", slot_id)


async def with_capacity(
    conn: Executor, territory_id: str, first_day: date, last_day: date
) -> list[tuple[Window, int]]:
    """Windows of the territory starting on `first_day`..`last_day` with places left, in time order."""
    rows = await conn.fetch(
        """
        SELECT start_at, end_at, capacity - booked AS available
          FROM slots
         WHERE territory_id = $1 AND start_at >= $2 AND start_at < $3 AND booked < capacity
         ORDER BY start_at, end_at
        """,
        territory_id,
        datetime.combine(first_day, time.min),
        datetime.combine(last_day + timedelta(days=1), time.min),
    )
    return [(Window(row["start_at"], row["end_at"]), row["available"]) for row in rows]
