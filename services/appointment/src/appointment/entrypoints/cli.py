"""`python -m appointment reference load [--days N] [--capacity N]`: create the configured
territories and their windows for the next N working days (today included, when it is one).

Idempotent: windows that exist keep their capacity and bookings; only missing ones are created
with `--capacity`. Uses `DATABASE_URL` (the service's own login) and applies the service's
migrations first, so it works before the service has ever started.
"""

import argparse
import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from appointment.config import Settings
from appointment.service_layer.reference_data import ReferenceDataLoaded, ensure_reference_data
from appointment.service_layer.rules import rules_from
from shared_db.migrations import upgrade
from shared_db.pool import create_pool


def _parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m appointment reference", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="create missing territories and windows")
    load.add_argument(
        "--days",
        type=int,
        default=settings.reference_data_days,
        help="working days from today (default %(default)s)",
    )
    load.add_argument(
        "--capacity",
        type=int,
        default=settings.slot_capacity,
        help="bookings per new window (default %(default)s, SLOT_CAPACITY)",
    )
    return parser


async def _load(settings: Settings, migrations: Path, days: int, capacity: int) -> ReferenceDataLoaded:
    await upgrade(settings.database_url, settings.service_name, migrations)
    pool = await create_pool(settings.database_url, settings.service_name, min_size=1, max_size=1)
    try:
        return await ensure_reference_data(pool, rules_from(settings), days=days, capacity=capacity)
    finally:
        await pool.close()


def reference_command(migrations: Path) -> Callable[[Sequence[str]], int]:
    def run(argv: Sequence[str]) -> int:
        settings = Settings()
        args = _parser(settings).parse_args(list(argv))
        if args.days < 1 or args.capacity < 0:
            print("--days must be at least 1 and --capacity at least 0")
            return 2
        loaded = asyncio.run(_load(settings, migrations, args.days, args.capacity))
        print(
            f"{loaded.territories} territories, {loaded.windows_per_territory} windows each from "
            f"{loaded.first_day.isoformat()} to {loaded.last_day.isoformat()}; "
            f"{loaded.slots_created} windows created"
        )
        return 0

    return run
