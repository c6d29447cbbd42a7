"""The bare baselines of the benchmarks: FastAPI + uvicorn with one thing behind each endpoint.

Started as a process by the benchmarks (not a pytest module):

    BARE_DATABASE_URL=... BARE_SCHEMA=... HTTP_PORT=... PYTHONPATH=tests/benchmarks \
        .venv/bin/python -m bare_app

- `GET /noop`: the bare FastAPI endpoint (answers a constant).
- `POST /orders`: takes the create-order JSON body, stores it in `bare_orders` (one asyncpg
  INSERT; the benchmark creates the table in its scratch schema) and answers 201 with a new id.
- `POST /produce` (with `BARE_KAFKA_BOOTSTRAP` and `BARE_TOPIC`): the body as one Kafka record,
  aiokafka acks=all and idempotent like the relay's producer, answered once acknowledged.
- `POST /availability` (with `BARE_INVENTORY_URL`): the availability request's items and
  locations as one bare query on inventory's stock table (`BARE_AVAILABILITY_QUERY`).

The pool is the services' own (`shared_db.pool.create_pool`, `BARE_POOL_SIZE`, default 10 like
`DB_POOL_MAX_SIZE`) and uvicorn runs as in `shared_runtime.service.run` (one process, no access
log). No authentication, validation, tracing, outbox or upstream call. Every answer echoes the
request's x-trace-id, as the services do (the load tool matches answers to requests by it).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request, Response

from shared_db.pool import create_pool
from shared_runtime.heap import freeze_heap

TABLE_DDL = (
    "CREATE TABLE bare_orders (id uuid PRIMARY KEY, body jsonb NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now())"
)
BARE_AVAILABILITY_QUERY = (
    "SELECT item, location, available FROM stock "
    "WHERE item = ANY($1::text[]) AND location = ANY($2::bigint[])"
)


def create_app(env: dict[str, str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool_size = int(env.get("BARE_POOL_SIZE", "10"))
        app.state.pool = await create_pool(
            env["BARE_DATABASE_URL"], env["BARE_SCHEMA"], min_size=2, max_size=pool_size
        )
        app.state.inventory = None
        if url := env.get("BARE_INVENTORY_URL"):
            app.state.inventory = await create_pool(url, "inventory", min_size=2, max_size=pool_size)
        app.state.producer = None
        if bootstrap := env.get("BARE_KAFKA_BOOTSTRAP"):
            app.state.producer = AIOKafkaProducer(
                bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=0
            )
            await app.state.producer.start()
        freeze_heap()  # as the services do once started (shared_runtime.heap)
        try:
            yield
        finally:
            if app.state.producer is not None:
                await app.state.producer.stop()
            for pool in (app.state.pool, app.state.inventory):
                if pool is not None:
                    await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.middleware("http")
    async def echo_trace_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if trace_id := request.headers.get("x-trace-id"):
            response.headers["x-trace-id"] = trace_id
        return response

    @app.get("/health/ready")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/noop")
    async def noop() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/orders", status_code=201)
    async def create_order(body: dict[str, Any]) -> dict[str, str]:
        order_id = uuid.uuid4()
        await app.state.pool.execute("INSERT INTO bare_orders (id, body) VALUES ($1, $2)", order_id, body)
        return {"orderId": str(order_id)}

    @app.post("/produce")
    async def produce(body: dict[str, Any]) -> dict[str, int]:
        metadata = await app.state.producer.send_and_wait(env["BARE_TOPIC"], json.dumps(body).encode())
        return {"partition": metadata.partition, "offset": metadata.offset}

    @app.post("/availability")
    async def availability(body: dict[str, Any]) -> dict[str, Any]:
        locations = [entry["location"] for entry in body["inventoryLocations"]]
        rows = await app.state.inventory.fetch(BARE_AVAILABILITY_QUERY, body["items"], locations)
        return {"items": [dict(row) for row in rows]}

    return app


if __name__ == "__main__":
    uvicorn.run(
        create_app(dict(os.environ)),
        host="127.0.0.1",
        port=int(os.environ["HTTP_PORT"]),
        log_config=None,
        access_log=False,
    )
