"""Applying releases and revivals of reservation lines: stock first (one statement), then lines,
then the event, all in the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import asyncpg

from inventory.adapters import reservations as reservation_store
from inventory.adapters import stock
from inventory.adapters.reservations import Reservation
from inventory.adapters.stock import StockChange, StockKey
from inventory.domain.holds import ReservationLine, allocate, released
from inventory.domain.releases import LineRelease
from inventory.service_layer.events import inventory_released
from shared_messaging import add_event


async def apply_releases(
    conn: asyncpg.Connection,
    reservation: Reservation,
    releases: Sequence[LineRelease],
    reason: str,
    *,
    transaction_id: str | None,
) -> list[ReservationLine]:
    """Give back what `releases` say; returns the changed lines."""
    releases = [release for release in releases if release.quantity > 0]
    if not releases:
        return []
    await stock.change_customer_reserved(
        conn,
        [StockChange(r.line.item, r.line.location, -r.quantity) for r in releases],
        partial=True,
    )
    changed = [released(r.line, r.quantity) for r in releases]
    await reservation_store.save_lines(conn, changed)
    event = inventory_released(reservation, [(r.line, r.quantity) for r in releases], reason)
    if event is not None:
        await add_event(conn, event, transaction_id=transaction_id)
    return changed


def share_grants(
    wanted: Sequence[tuple[StockKey, Decimal]],
    grants: dict[StockKey, stock.Grant],
    released_alongside: dict[StockKey, Decimal] | None = None,
) -> list[Decimal]:
    """What each wanted (key, quantity) got, first come first served per key.

    `released_alongside`: quantities the same statement released at a key, which the net grant
    of that key already counts against the wanted ones.
    """
    released_alongside = released_alongside or {}
    by_key: dict[StockKey, list[int]] = defaultdict(list)
    for position, (key, _) in enumerate(wanted):
        by_key[key].append(position)
    shares = [Decimal(0)] * len(wanted)
    for key, positions in by_key.items():
        grant = grants.get(key)
        if grant is None or not grant.applied:
            continue
        capacity = grant.quantity + released_alongside.get(key, Decimal(0))
        for position, share in zip(
            positions, allocate(capacity, [wanted[p][1] for p in positions]), strict=True
        ):
            shares[position] = share
    return shares
