"""Get Service Appointment Dates: the windows a sub-order can book now."""

import asyncpg

from appointment.domain.sub_order import SubOrder
from appointment.service_layer.context import RequestContext
from appointment.service_layer.offers import OfferedWindow, offered_windows, territory_of_site
from appointment.service_layer.ports import SubOrderDirectory
from appointment.service_layer.rules import AppointmentRules
from appointment.service_layer.sub_order_lookup import known_sub_order


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
    sub_order = await known_sub_order(pool, directory, context, sub_order_id)
    sub_order.check_visible_to(context.tenant, order_id)
    requested = sub_order.requested_dates()
    territory = territory_of_site(rules, context, sub_order)
    return sub_order, await offered_windows(pool, rules, territory, requested, rules.local_now())
