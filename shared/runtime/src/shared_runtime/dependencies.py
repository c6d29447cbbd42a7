"""FastAPI dependencies every service's routes share.

Every dependency and endpoint is `async def` on purpose: FastAPI runs a plain `def` in a worker
thread, and that hand-off costs more than the work these do (tested for every service in
tests/architecture/test_request_path.py).
"""

from typing import Annotated

import asyncpg
from fastapi import Depends, FastAPI, Request

from shared_http import ApiError


def runtime_pool(app: FastAPI) -> asyncpg.Pool | None:
    """The pool of the service runtime serving `app`; None until it has started."""
    pool: asyncpg.Pool | None = getattr(app.state.runtime, "pool", None)
    return pool


async def database_pool(request: Request) -> asyncpg.Pool:
    """The service runtime's pool; 503 while the service is still starting."""
    pool = runtime_pool(request.app)
    if pool is None:
        raise ApiError(503, "UNAVAILABLE", "The service is starting; please retry shortly.")
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(database_pool)]
