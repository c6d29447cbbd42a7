"""What the routes need: the database pool, the caller's identity and the service's components."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

import asyncpg
from fastapi import Depends, Request

from inventory.config import Settings
from inventory.service_layer.batch_window import BatchWindow
from shared_http import ApiError
from shared_http.caller import Caller, caller_from_request

MERCHANDISING_ROLE = "merchandising"


@dataclass(frozen=True)
class Components:
    settings: Settings
    window: BatchWindow


async def _pool(request: Request) -> asyncpg.Pool:
    """Async on purpose (also below): FastAPI runs plain functions in a worker thread per call."""
    pool = getattr(request.app.state.runtime, "pool", None)
    if pool is None:
        raise ApiError(503, "UNAVAILABLE", "The service is starting; please retry shortly.")
    return cast(asyncpg.Pool, pool)


async def _merchandising_caller(request: Request) -> Caller:
    """A caller the gateway authenticated with the merchandising role (OMS, store systems)."""
    caller = caller_from_request(request)
    if MERCHANDISING_ROLE not in caller.roles:
        raise ApiError(403, "FORBIDDEN", "The Merchandising services need the merchandising role")
    return caller


PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
MerchandisingCallerDep = Annotated[Caller, Depends(_merchandising_caller)]
