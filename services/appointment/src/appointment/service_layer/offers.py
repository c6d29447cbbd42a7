"""The windows a sub-order is offered now, and the checks of its site that come first."""

from dataclasses import dataclass
from datetime import datetime

from appointment.adapters import slots
from appointment.adapters.slots import Executor
from appointment.domain.schedule import RequestedDates
from appointment.domain.sub_order import SubOrder
from appointment.domain.territories import Territory
from appointment.domain.windows import Window
from appointment.service_layer.context import RequestContext
from appointment.service_layer.rules import AppointmentRules


@dataclass(frozen=True)
class OfferedWindow:
    window: Window
    available: int


def territory_of_site(rules: AppointmentRules, context: RequestContext, sub_order: SubOrder) -> Territory:
    """Sandbox callers: only mocked sites (else TEST_DATA). Then the territory serving the site."""
    if context.is_sandbox:
        rules.sandbox.check_site_address(sub_order.site_address)
    return rules.territories.territory_for(sub_order.site_address)


async def offered_windows(
    conn: Executor,
    rules: AppointmentRules,
    territory: Territory,
    requested: RequestedDates,
    now: datetime,
) -> list[OfferedWindow]:
    days = rules.schedule.search_days(requested, now)
    if days is None:
        return []
    found = await slots.with_capacity(conn, territory.territory_id, *days)
    return [
        OfferedWindow(window, available)
        for window, available in found
        if rules.schedule.is_offered(window, requested, now)
    ]


async def another_window(
    conn: Executor,
    rules: AppointmentRules,
    territory: Territory,
    requested: RequestedDates,
    now: datetime,
    refused: Window,
) -> Window | None:
    """The first offered window with capacity left other than `refused` (for the 409's message)."""
    for offered in await offered_windows(conn, rules, territory, requested, now):
        if offered.window != refused:
            return offered.window
    return None
