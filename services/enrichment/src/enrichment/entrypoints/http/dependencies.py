"""What a request handler needs: the pool, the caller, the rules and the appointment client."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, cast
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request

from enrichment.adapters.appointment_client import HttpAppointmentDirectory
from enrichment.config import Settings
from enrichment.domain.sandbox import SandboxTestData
from enrichment.service_layer.context import EnrichmentRules, RequestContext, Tenant
from enrichment.service_layer.ports import AppointmentDirectory
from shared_http.caller import SP_HEADER, TenantDep
from shared_http.service_client import service_client
from shared_runtime.dependencies import PoolDep as PoolDep


@dataclass(frozen=True)
class EnrichmentComponents:
    rules: EnrichmentRules
    appointments: AppointmentDirectory


def rules_from(settings: Settings) -> EnrichmentRules:
    return EnrichmentRules(
        sandbox=SandboxTestData.from_lines(settings.sandbox_addresses),
        timezone=ZoneInfo(settings.business_timezone),
        persist_customer_data=settings.persist_customer_data_ind == "Y",
        max_page_size=settings.orders_max_page_size,
    )


def components_lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Opens the appointment service client with the app and closes it when the app stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = service_client(
            settings.appointment_url, timeout_seconds=settings.appointment_timeout_seconds
        )
        app.state.enrichment = EnrichmentComponents(rules_from(settings), HttpAppointmentDirectory(client))
        try:
            yield
        finally:
            await client.aclose()

    return lifespan


# The dependencies are `async def` on purpose: FastAPI runs a plain `def` in a worker thread.


async def _components(request: Request) -> EnrichmentComponents:
    return cast(EnrichmentComponents, request.app.state.enrichment)


async def _context(caller: TenantDep) -> RequestContext:
    return RequestContext(
        tenant=Tenant(sp_id=caller.sp_id or "", environment=caller.environment),
        client_id=caller.client_id,
        trace_id=caller.trace_id,
        transaction_id=caller.transaction_id,
        source=caller.source,
    )


async def _optional_sp(request: Request) -> str | None:
    return request.headers.get(SP_HEADER) or None


ComponentsDep = Annotated[EnrichmentComponents, Depends(_components)]
ContextDep = Annotated[RequestContext, Depends(_context)]
OptionalSpDep = Annotated[str | None, Depends(_optional_sp)]
