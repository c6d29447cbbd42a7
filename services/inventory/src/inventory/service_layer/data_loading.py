"""Loading foundation data (files, the demo set, generated sets) and receiving stock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import asyncpg

from inventory.adapters import stock
from inventory.adapters.catalog import load_catalog
from inventory.adapters.data_files import FilePart, parts_of
from inventory.adapters.loader import FoundationLoader
from inventory.adapters.stock import Buckets
from inventory.domain.errors import RuleBrokenError
from inventory.domain.locations import LocationResolutionError, stock_location
from inventory.domain.quantities import UnknownUnitOfMeasureError, to_standard_uom
from inventory.domain.records import KINDS, typed_records

DEMO_FILE = "demo.json"


async def load_parts(
    pool: asyncpg.Pool, parts: Sequence[FilePart], *, keep_existing_stock: bool = False
) -> dict[str, int]:
    """Every part, kinds in dependency order, in one transaction; counts per kind."""
    counts: dict[str, int] = {}
    async with pool.acquire() as conn, conn.transaction():
        loader = FoundationLoader(conn, keep_existing_stock=keep_existing_stock)
        for kind in KINDS:
            for part in (part for part in parts if part.kind is kind):
                loaded = await loader.load(kind, typed_records(kind, part.rows(), part.source))
                counts[kind.name] = counts.get(kind.name, 0) + loaded
        await loader.check_integrity()
    return counts


async def load_files(pool: asyncpg.Pool, paths: Iterable[Path]) -> dict[str, int]:
    return await load_parts(pool, [part for path in paths for part in parts_of(path)])


async def load_demo(pool: asyncpg.Pool) -> dict[str, int]:
    """The demo set, idempotent: foundation records replace themselves, stock rows are created
    when missing (what was received, reserved or backordered since stays), the demo reservation
    is made once."""
    with as_file(files("inventory.demo").joinpath(DEMO_FILE)) as path:
        return await load_parts(pool, parts_of(path), keep_existing_stock=True)


async def load_rows(pool: asyncpg.Pool, rows: Mapping[str, Iterable[tuple[Any, ...]]]) -> dict[str, int]:
    """Typed rows per kind name (a generated set), in one transaction."""
    counts: dict[str, int] = {}
    async with pool.acquire() as conn, conn.transaction():
        loader = FoundationLoader(conn)
        for kind in KINDS:
            if kind.name in rows:
                counts[kind.name] = await loader.load(kind, rows[kind.name])
        await loader.check_integrity()
    return counts


async def receive(
    pool: asyncpg.Pool, item: str, location: int, quantity: Decimal, uom: str | None
) -> Buckets:
    """Receive `quantity` (negative: issue) of `item` at `location`, a store or a warehouse (a
    physical warehouse receives into its primary virtual warehouse)."""
    async with pool.acquire() as conn, conn.transaction():
        catalog = await load_catalog(conn, [item], [location])
        found_item = catalog.item(item)
        requested = catalog.location(location)
        try:
            target = stock_location(requested, requested.location_type, None, catalog.virtual_warehouses)
            standard = to_standard_uom(found_item, quantity, uom)
        except (LocationResolutionError, UnknownUnitOfMeasureError) as error:
            raise RuleBrokenError(str(error)) from error
        total = await stock.change_stock_on_hand(conn, item, target.location, standard)
        if total is None:
            raise RuleBrokenError(
                f"Cannot take {(-standard).normalize():f} {found_item.standard_uom} of item {item} out of "
                f"{target.describe()}: not that much stock, or it is reserved"
            )
        found = await stock.buckets(conn, item, target.location)
        assert found is not None
        return found
