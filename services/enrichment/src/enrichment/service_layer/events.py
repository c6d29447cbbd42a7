"""Staging events in the outbox, in the transaction of the change that caused them."""

import asyncpg

from enrichment.domain.status import StatusChange
from shared_contracts.events import OrderStatusChanged
from shared_contracts.events.base import Event
from shared_messaging.outbox import add_event

SERVICE = "enrichment"


async def stage(conn: asyncpg.Connection, event: Event, transaction_id: str | None) -> None:
    """Publish `event` if (and only if) the caller's transaction commits."""
    await add_event(conn, event, transaction_id=transaction_id, source_service=SERVICE)


def status_changed(order_id: str, change: StatusChange) -> OrderStatusChanged:
    if change.from_status is None:
        raise ValueError("an order's creation is OrderCreated, not a status change")
    return OrderStatusChanged(
        order_id=order_id, from_status=change.from_status, to_status=change.to_status, reason=change.reason
    )
