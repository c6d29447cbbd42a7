"""What a request handler needs: the pool, the caller, the rules and the enrichment client."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, FastAPI, Request

from appointment.adapters.enrichment_client import HttpSubOrderDirectory
from appointment.config import Settings
from appointment.domain.sub_order import Tenant
from appointment.service_layer.context import RequestContext
from appointment.service_layer.ports import SubOrderDirectory
from appointment.service_layer.reference_data import ensure_reference_data
from appointment.service_layer.rules import AppointmentRules, rules_from
from shared_http.caller import tenant_caller
from shared_http.service_client import service_client
from shared_runtime.dependencies import PoolDep as PoolDep
from shared_runtime.dependencies import runtime_pool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AppointmentComponents:
    rules: AppointmentRules
    sub_orders: SubOrderDirectory


def components_lifespan(
    settings: Settings, rules: AppointmentRules | None = None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Opens the enrichment client with the app (and closes it after); loads the demo reference
    data when `LOAD_DEMO_REFERENCE_DATA` is on. Runs after the shared runtime has its pool."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_rules = rules or rules_from(settings)
        pool = runtime_pool(app)
        if settings.load_demo_reference_data and pool is not None:
            loaded = await ensure_reference_data(
                pool, the_rules, days=settings.reference_data_days, capacity=settings.slot_capacity
            )
            log.info("reference data ensured", extra={"slots_created": loaded.slots_created})
        client = service_client(settings.enrichment_url, timeout_seconds=settings.enrichment_timeout_seconds)
        app.state.appointment = AppointmentComponents(the_rules, HttpSubOrderDirectory(client))
        try:
            yield
        finally:
            await client.aclose()

    return lifespan


# The dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker
# thread, which costs more than everything else these do.


async def _components(request: Request) -> AppointmentComponents:
    return cast(AppointmentComponents, request.app.state.appointment)


async def _context(request: Request) -> RequestContext:
    caller = tenant_caller(request)
    return RequestContext(
        tenant=Tenant(sp_id=caller.sp_id or "", environment=caller.environment),
        forwarded_headers=caller.forwarded_headers(),
        transaction_id=caller.transaction_id,
    )


ComponentsDep = Annotated[AppointmentComponents, Depends(_components)]
ContextDep = Annotated[RequestContext, Depends(_context)]
