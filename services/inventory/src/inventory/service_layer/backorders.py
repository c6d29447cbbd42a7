"""Create Inventory Backorder: adjust backorder buckets, all lines or none; emits BackorderAdjusted."""

from __future__ import annotations

import asyncpg

from inventory.adapters import stock
from inventory.adapters.catalog import load_catalog
from inventory.domain.backorders import below_zero_error, plan_backorder_changes
from inventory.domain.collections_size import check_collection_size
from inventory.domain.errors import collect
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import backorder_adjusted
from shared_contracts.events import BackorderAdjusted
from shared_contracts.merchandising import InventoryBackorderRequest
from shared_messaging import add_event


async def create_backorders(
    conn: asyncpg.Connection,
    request: InventoryBackorderRequest,
    window: BatchWindow,
    *,
    transaction_id: str | None,
) -> None:
    """Runs in the caller's transaction; raises `InvalidRequestError`, `BusinessRuleError` or
    `WritesPausedError` (then the caller's transaction must roll back)."""
    await window.ensure_writes_allowed(conn)
    check_collection_size(request.collection_size, request.items)
    lines = request.items or []
    catalog = await load_catalog(conn, {line.item for line in lines}, {line.location for line in lines})
    changes = plan_backorder_changes(lines, catalog)
    events: dict[int, BackorderAdjusted] = {}
    errors: dict[int, str] = {}
    # One lock order for every writer: stock rows by (item, location); a stable sort keeps the
    # request's order among lines of the same row.
    for change in sorted(changes, key=lambda c: (c.item.item, c.location.location)):
        total = await stock.adjust_backorder(
            conn, change.item.item, change.location.location, change.adjustment
        )
        if total is None:
            current = await stock.backorder_of(conn, change.item.item, change.location.location)
            errors[change.index] = below_zero_error(change, current)
        else:
            events[change.index] = backorder_adjusted(change, total)
    collect([errors[index] for index in sorted(errors)])
    for index in sorted(events):
        await add_event(conn, events[index], transaction_id=transaction_id)
