"""FastAPI dependencies every service's routes share.

Every dependency and endpoint is `async def` on purpose: FastAPI runs a plain `def` in a worker
thread, and that hand-off costs more than the work these do (tested for every service in
tests/architecture/test_request_path.py).
"""

from typing import Annotated, cast

import asyncpg
from fastapi import Depends, Request

from shared_http import ApiError


async def database_pool(request: Request) -> asyncpg.Pool:
    """The service runtime's pool; 503 while the service is still starting."""
    pool = getattr(request.app.state.runtime, "pool", None)
    if pool is None:
        raise ApiError(503, "UNAVAILABLE", "The service is starting; please retry shortly.")
    return cast(asyncpg.Pool, pool)


PoolDep = Annotated[asyncpg.Pool, Depends(database_pool)]
