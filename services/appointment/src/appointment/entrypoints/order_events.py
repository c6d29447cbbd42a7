"""Handlers of `orders.order.v1`: keep the sub-order read model current."""

import logging

import asyncpg

from appointment.adapters import sub_orders
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import OrderCreated, OrderEnriched

log = logging.getLogger(__name__)


async def on_order_created(conn: asyncpg.Connection, event: OrderCreated, meta: CloudEventMeta) -> None:
    for sub_order in event.sub_orders:
        await sub_orders.upsert_created(
            conn,
            sub_order_id=sub_order.sub_order_id,
            order_id=event.order_id,
            sp_id=event.sp_id,
            environment=event.environment,
            site_address=sub_order.site_address.model_dump(mode="json", by_alias=True),
        )


async def on_order_enriched(conn: asyncpg.Connection, event: OrderEnriched, meta: CloudEventMeta) -> None:
    if event.step != "INSTALLATION" or event.sub_order_id is None:
        return
    site = event.site_address.model_dump(mode="json", by_alias=True) if event.site_address else None
    known = await sub_orders.record_installation(
        conn,
        sub_order_id=event.sub_order_id,
        site_address=site,
        requested_start=event.customer_requested_start_date,
        requested_due=event.customer_requested_due_date,
    )
    if not known:
        # OrderCreated precedes it on the same partition, so this means the order predates this
        # service's data; the HTTP fallback to enrichment covers such sub-orders.
        log.warning("installation for unknown sub-order %s", event.sub_order_id)
