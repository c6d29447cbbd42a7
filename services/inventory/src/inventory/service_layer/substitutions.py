"""Create Customer Order Item Substitution: the original line shrinks to the revised quantity, the
substitutes are reserved (never oversold) on lines cross-referencing it; all or nothing; emits
ItemSubstituted."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.catalog import load_catalog
from inventory.adapters.reservations import NewLine
from inventory.adapters.stock import StockChange
from inventory.domain.collections_size import check_collection_size
from inventory.domain.errors import collect
from inventory.domain.holds import ReservationLine, held, released
from inventory.domain.substitutions import SubstitutionPlan, plan_substitutions
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.events import item_substituted
from shared_contracts.merchandising import ItemSubstitutionRequest
from shared_messaging import add_event


def _stock_changes(plans: list[SubstitutionPlan]) -> list[StockChange]:
    changes = []
    for plan in plans:
        if plan.cancelled_quantity:
            changes.append(StockChange(plan.original.item, plan.store.location, -plan.cancelled_quantity))
        changes.extend(
            StockChange(substitute.item.item, plan.store.location, substitute.delta)
            for substitute in plan.substitutes
            if substitute.delta
        )
    return changes


def _shortages(plans: list[SubstitutionPlan], grants: dict[tuple[str, int], stock.Grant]) -> list[str]:
    """Substitutes whose item/location cannot take what the request adds there."""
    wanted: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for change in _stock_changes(plans):
        wanted[change.key] += change.quantity
    errors = []
    for plan in plans:
        for position, substitute in enumerate(plan.substitutes):
            key = (substitute.item.item, plan.store.location)
            grant = grants.get(key)
            available = Decimal(0) if grant is None or grant.available is None else grant.available
            if substitute.delta > 0 and available < wanted[key]:
                errors.append(
                    f"items[{plan.index}]: details[{position}]: Not enough available inventory of substitute "
                    f"item {substitute.item.item} at store {plan.store.location}: "
                    f"{max(available, Decimal(0)).normalize():f} available, "
                    f"{wanted[key].normalize():f} {substitute.item.standard_uom} needed"
                )
    return errors


async def _update_lines(conn: asyncpg.Connection, plan: SubstitutionPlan, reservation_id: uuid.UUID) -> None:
    original = plan.original
    changed: list[ReservationLine] = []
    if plan.cancelled_quantity:
        changed.append(released(original, plan.cancelled_quantity))
    new_lines = []
    for substitute in plan.substitutes:
        existing = substitute.existing
        if existing is None:
            new_lines.append(
                NewLine(
                    item=substitute.item.item,
                    location=plan.store.location,
                    item_line_no=original.item_line_no,
                    uom=substitute.item.standard_uom,
                    requested_quantity=substitute.quantity,
                    quantity=substitute.quantity,
                    status=original.status,
                    expires_at=original.expires_at,
                    substitute_for_line_id=original.line_id,
                )
            )
        elif substitute.delta < 0:
            changed.append(released(existing, -substitute.delta))
        elif substitute.delta > 0:
            changed.append(held(existing, substitute.quantity, original.status, original.expires_at))
    await reservation_store.save_lines(conn, changed)
    await reservation_store.insert_lines(conn, reservation_id, new_lines)


async def create_substitutions(
    conn: asyncpg.Connection,
    request: ItemSubstitutionRequest,
    window: BatchWindow,
    *,
    transaction_id: str | None,
) -> None:
    """Runs in the caller's transaction; raises `InvalidRequestError`, `BusinessRuleError` or
    `WritesPausedError` (then the caller's transaction must roll back)."""
    await window.ensure_writes_allowed(conn)
    check_collection_size(request.collection_size, request.items)
    entries = request.items or []
    orders = {(entry.customer_order_no, entry.fulfill_order_no) for entry in entries}
    locked = await reservation_store.lock_orders(conn, orders)
    lines = await reservation_store.lines_of(conn, [r.reservation_id for r in locked], lock=True)
    lines_by_order = {(r.customer_order_no, r.fulfill_order_no): lines[r.reservation_id] for r in locked}
    reservation_ids = {(r.customer_order_no, r.fulfill_order_no): r.reservation_id for r in locked}
    items = {entry.item for entry in entries} | {
        detail.substitute_item for entry in entries for detail in entry.details
    }
    catalog = await load_catalog(conn, items, {entry.location for entry in entries})
    plans = plan_substitutions(entries, catalog, lines_by_order)
    grants = await stock.change_customer_reserved(conn, _stock_changes(plans), partial=False)
    collect(_shortages(plans, grants))
    for plan in (plan for plan in plans if plan.changes_anything):
        order = (plan.request.customer_order_no, plan.request.fulfill_order_no)
        await _update_lines(conn, plan, reservation_ids[order])
        await add_event(conn, item_substituted(plan), transaction_id=transaction_id)
