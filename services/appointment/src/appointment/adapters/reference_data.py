"""Territories and their windows (slots): created when missing, never changed when present."""

from collections.abc import Sequence

import asyncpg

from appointment.domain.territories import Territory
from appointment.domain.windows import Window


async def upsert_territories(conn: asyncpg.Connection, territories: Sequence[Territory]) -> None:
    await conn.executemany(
        """
        INSERT INTO territories (territory_id, name) VALUES ($1, $2)
        ON CONFLICT (territory_id) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
        WHERE territories.name IS DISTINCT FROM EXCLUDED.name
        """,
        [(territory.territory_id, territory.name) for territory in territories],
    )


async def insert_missing_slots(
    conn: asyncpg.Connection, territory_ids: Sequence[str], windows: Sequence[Window], capacity: int
) -> int:
    """Every window in every territory, with `capacity`; windows that exist keep theirs. Returns
    how many were created."""
    status: str = await conn.execute(
        """
        INSERT INTO slots (territory_id, start_at, end_at, capacity)
        SELECT territory.id, window_.start_at, window_.end_at, $4
          FROM unnest($1::text[]) AS territory (id)
         CROSS JOIN unnest($2::timestamp[], $3::timestamp[]) AS window_ (start_at, end_at)
        ON CONFLICT (territory_id, start_at, end_at) DO NOTHING
        """,
        list(territory_ids),
        [window.start for window in windows],
        [window.end for window in windows],
        capacity,
    )
    return int(status.rsplit(" ", 1)[-1])
