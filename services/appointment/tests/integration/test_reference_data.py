"""`python -m appointment reference load`: territories and windows for the next working days, idempotent."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio


def load(database_url: str, territory_id: str, *args: str) -> str:
    territories = [{"id": territory_id, "name": "Reference test", "state": "ZZ", "postalPrefixes": ["10002"]}]
    done = subprocess.run(
        [sys.executable, "-m", "appointment", "reference", "load", *args],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "TERRITORIES": json.dumps(territories),
            "APPOINTMENT_WINDOWS": '["09:00-13:00", "13:00-17:00"]',
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


@pytest_asyncio.fixture(loop_scope="session")
async def appointment_db(service_db_urls: dict[str, str]) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(
        service_db_urls["appointment"], server_settings={"search_path": "appointment"}
    )
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_command_creates_windows_for_the_next_working_days_once(
    service_db_urls, appointment_db
) -> None:
    territory_id = f"REF-{uuid.uuid4().hex[:8]}"
    url = service_db_urls["appointment"]

    first = load(url, territory_id, "--days", "3", "--capacity", "4")

    assert "6 windows each" in first
    assert first.endswith("6 windows created")
    rows = await appointment_db.fetch(
        "SELECT start_at, end_at, capacity, booked FROM slots WHERE territory_id = $1 ORDER BY start_at",
        territory_id,
    )
    assert len(rows) == 6
    assert {(row["capacity"], row["booked"]) for row in rows} == {(4, 0)}
    assert {(row["start_at"].time().hour, row["end_at"].time().hour) for row in rows} == {(9, 13), (13, 17)}
    assert all(row["start_at"].weekday() < 5 for row in rows)
    assert len({row["start_at"].date() for row in rows}) == 3
    assert await appointment_db.fetchval("SELECT name FROM territories WHERE territory_id = $1", territory_id)

    first_slot = min(row["start_at"] for row in rows)
    await appointment_db.execute(
        "UPDATE slots SET booked = 2 WHERE territory_id = $1 AND start_at = $2", territory_id, first_slot
    )
    again = load(url, territory_id, "--days", "4", "--capacity", "9")

    assert again.endswith("2 windows created")  # only the fourth day's windows were missing
    capacities = await appointment_db.fetch(
        "SELECT capacity, booked FROM slots WHERE territory_id = $1 ORDER BY start_at", territory_id
    )
    assert [(row["capacity"], row["booked"]) for row in capacities] == [(4, 2)] + [(4, 0)] * 5 + [(9, 0)] * 2
    await appointment_db.execute("DELETE FROM slots WHERE territory_id = $1", territory_id)
    await appointment_db.execute("DELETE FROM territories WHERE territory_id = $1", territory_id)
