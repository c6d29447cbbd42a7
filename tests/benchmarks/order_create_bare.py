"""The bare baseline of the order-create benchmark: FastAPI + uvicorn, one endpoint, one asyncpg INSERT.

Started as a process by `bench_order_create.py` (not a pytest module):

    BARE_DATABASE_URL=... BARE_SCHEMA=... HTTP_PORT=... PYTHONPATH=tests/benchmarks \
        .venv/bin/python -m order_create_bare

`POST /orders` takes the create-order JSON body, stores it in `bare_orders` (a table the benchmark
creates in its scratch schema) and answers 201 with the new id. The pool is the services' own
(`shared_db.pool.create_pool`, `BARE_POOL_SIZE`, default 10 like `DB_POOL_MAX_SIZE`) and uvicorn
runs as in `shared_runtime.service.run` (one process, no access log). No authentication, validation,
tracing, outbox or upstream call: the figure the platform's create-order path is compared with.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from shared_db.pool import create_pool

TABLE_DDL = (
    "CREATE TABLE bare_orders (id uuid PRIMARY KEY, body jsonb NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())"
)


def create_app(database_url: str, schema: str, pool_size: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await create_pool(database_url, schema, min_size=2, max_size=pool_size)
        try:
            yield
        finally:
            await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/orders", status_code=201)
    async def create_order(body: dict[str, Any]) -> dict[str, str]:
        order_id = uuid.uuid4()
        await app.state.pool.execute("INSERT INTO bare_orders (id, body) VALUES ($1, $2)", order_id, body)
        return {"orderId": str(order_id)}

    return app


if __name__ == "__main__":
    uvicorn.run(
        create_app(
            os.environ["BARE_DATABASE_URL"],
            os.environ["BARE_SCHEMA"],
            int(os.environ.get("BARE_POOL_SIZE", "10")),
        ),
        host="127.0.0.1",
        port=int(os.environ["HTTP_PORT"]),
        log_config=None,
        access_log=False,
    )
