"""Handler of `orders.order.v1`: keep the sub-order read model current.

The read model holds the sub-orders whose installation was enriched: the only ones that can be
offered dates or booked. OrderEnriched (INSTALLATION) carries all it needs (order, tenant, site
address, requested dates), so OrderCreated is not consumed: an order that is never enriched costs
this service nothing. A request for a sub-order the read model does not know asks enrichment.
"""

import logging

import asyncpg

from appointment.adapters import sub_orders
from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import OrderEnriched

log = logging.getLogger(__name__)


async def on_order_enriched(conn: asyncpg.Connection, event: OrderEnriched, meta: CloudEventMeta) -> None:
    if event.step != "INSTALLATION" or event.sub_order_id is None:
        return
    site = event.site_address.model_dump(mode="json", by_alias=True) if event.site_address else None
    if event.sp_id is not None and event.environment is not None and site is not None:
        await sub_orders.upsert_installation(
            conn,
            sub_order_id=event.sub_order_id,
            order_id=event.order_id,
            sp_id=event.sp_id,
            environment=event.environment,
            site_address=site,
            requested_start=event.customer_requested_start_date,
            requested_due=event.customer_requested_due_date,
        )
        return
    # An event from before OrderEnriched carried the tenant: it can only complete a row the
    # read model already has; for an unknown sub-order the HTTP fallback to enrichment answers.
    known = await sub_orders.record_installation(
        conn,
        sub_order_id=event.sub_order_id,
        site_address=site,
        requested_start=event.customer_requested_start_date,
        requested_due=event.customer_requested_due_date,
    )
    if not known:
        log.warning("installation without tenant for unknown sub-order %s", event.sub_order_id)
