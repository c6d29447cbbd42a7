"""Get Service Appointment Dates: the windows a sub-order can book now."""

import asyncpg

from appointment.adapters import sub_orders
from appointment.adapters.slots import Executor
from appointment.domain.sub_order import SubOrder
from appointment.service_layer.context import RequestContext
from appointment.service_layer.offers import OfferedWindow, offered_windows, territory_of_site
from appointment.service_layer.ports import SubOrderDirectory
from appointment.service_layer.rules import AppointmentRules
from appointment.service_layer.sub_order_lookup import known_sub_order, settled


async def available_dates(
    pool: asyncpg.Pool,
    directory: SubOrderDirectory,
    rules: AppointmentRules,
    context: RequestContext,
    order_id: str,
    sub_order_id: str,
) -> tuple[SubOrder, list[OfferedWindow]]:
    """404 for another tenant's or unknown sub-order, 409 before installation, sandbox site check,
    then the working-day windows between the requested dates with capacity left."""
    # The usual case reads the sub-order and the slots on one borrowed connection (one pool
    # round trip and one reset instead of two); the connection is given back before enrichment
    # is asked, so a slow enrichment never holds it.
    async with pool.acquire() as conn:
        local = await sub_orders.fetch(conn, sub_order_id)
        if local is not None and settled(local, context):
            return local, await _offered(conn, rules, context, order_id, local)
    sub_order = await known_sub_order(pool, directory, context, sub_order_id)
    return sub_order, await _offered(pool, rules, context, order_id, sub_order)


async def _offered(
    conn: Executor, rules: AppointmentRules, context: RequestContext, order_id: str, sub_order: SubOrder
) -> list[OfferedWindow]:
    sub_order.check_visible_to(context.tenant, order_id)
    requested = sub_order.requested_dates()
    territory = territory_of_site(rules, context, sub_order)
    return await offered_windows(conn, rules, territory, requested, rules.local_now())
