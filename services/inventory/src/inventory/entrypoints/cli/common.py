"""What every command does first: read the settings, apply the migrations, open a small pool."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from inventory.config import Settings
from inventory.domain.errors import BusinessRuleError, RuleBrokenError, WritesPausedError
from inventory.domain.records import RecordError
from shared_db.migrations import upgrade
from shared_db.pool import create_pool

T = TypeVar("T")
MIGRATIONS_NAME = "inventory"
LONG_COMMAND_SECONDS = 3600.0
"""Loads of large sets run for minutes; commands are not bounded like requests."""


async def _with_pool(settings: Settings, work: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    from inventory.bootstrap import MIGRATIONS

    await upgrade(settings.database_url, MIGRATIONS_NAME, MIGRATIONS)
    pool = await create_pool(
        settings.database_url,
        MIGRATIONS_NAME,
        min_size=1,
        max_size=2,
        connect_timeout=settings.db_connect_timeout_seconds,
        command_timeout=LONG_COMMAND_SECONDS,
        statement_timeout_ms=0,
    )
    try:
        return await work(pool)
    finally:
        await pool.close()


def run_with_pool(work: Callable[[asyncpg.Pool], Awaitable[T]], settings: Settings | None = None) -> T | None:
    """Run `work` with a pool on the service's database; a refusal is printed, not a traceback."""
    try:
        return asyncio.run(_with_pool(settings or Settings(), work))
    except (RecordError, RuleBrokenError, WritesPausedError) as error:
        print(f"error: {error}", file=sys.stderr)
    except BusinessRuleError as error:
        print("error: " + "; ".join(error.errors), file=sys.stderr)
    except asyncpg.IntegrityConstraintViolationError as error:
        print(f"error: the data breaks a rule of the database: {error}", file=sys.stderr)
    return None
