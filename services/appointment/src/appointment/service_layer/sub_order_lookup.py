"""The sub-order a request names: from the read model, or from enrichment when the read model has
not caught up (unknown sub-order, or installation not yet seen), so that a client calling right
after installation enrichment never sees a stale answer."""

import asyncpg

from appointment.adapters import sub_orders
from appointment.domain.errors import NotFoundError
from appointment.domain.sub_order import SubOrder
from appointment.service_layer.context import RequestContext
from appointment.service_layer.ports import SubOrderDirectory, SubOrderFacts


async def _remember(pool: asyncpg.Pool, facts: SubOrderFacts) -> SubOrder | None:
    """Write what enrichment answered into the read model (the events will say the same later)."""
    async with pool.acquire() as conn, conn.transaction():
        await sub_orders.upsert_created(
            conn,
            sub_order_id=facts.sub_order_id,
            order_id=facts.order_id,
            sp_id=facts.sp_id,
            environment=facts.environment,
            site_address=facts.site_address,
        )
        if facts.installation is not None:
            await sub_orders.record_installation(
                conn,
                sub_order_id=facts.sub_order_id,
                site_address=facts.installation.site_address,
                requested_start=facts.installation.requested_start,
                requested_due=facts.installation.requested_due,
            )
        return await sub_orders.fetch(conn, facts.sub_order_id)


def settled(local: SubOrder, context: RequestContext) -> bool:
    """Whether the read model's row answers the request without asking enrichment."""
    return local.requested is not None or local.tenant != context.tenant


async def known_sub_order(
    pool: asyncpg.Pool, directory: SubOrderDirectory, context: RequestContext, sub_order_id: str
) -> SubOrder:
    """The sub-order (any tenant's: the caller checks visibility); NotFoundError when nobody knows it."""
    local = await sub_orders.fetch(pool, sub_order_id)
    if local is not None and settled(local, context):
        return local
    facts = await directory.sub_order(sub_order_id, context.forwarded_headers)
    if facts is None or facts.sub_order_id != sub_order_id:
        if local is None:
            raise NotFoundError("Sub-order", sub_order_id)
        return local
    remembered = await _remember(pool, facts)
    if remembered is None:
        raise NotFoundError("Sub-order", sub_order_id)
    return remembered
