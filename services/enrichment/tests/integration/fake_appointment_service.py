"""A stand-in for the appointment service's internal API, served over real HTTP by uvicorn."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared_testing.platform import free_port


@dataclass
class FakeAppointmentService:
    """`appointments[subOrderId]` is answered with 200; any other sub-order with 404."""

    url: str = ""
    appointments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)

    def confirm(self, order_id: str, sub_order_id: str, appointment_id: str | None = None) -> None:
        self.appointments[sub_order_id] = {
            "appointmentId": appointment_id or f"apt-{uuid.uuid4().hex[:12]}",
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "status": "CONFIRMED",
            "startDate": "2030-01-07 08:00:00.000",
            "endDate": "2030-01-07 12:00:00.000",
        }

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/internal/v1/appointments")
        async def appointments(request: Request) -> JSONResponse:
            sub_order_id = request.query_params.get("subOrderId", "")
            self.requests.append({"subOrderId": sub_order_id, **dict(request.headers)})
            if sub_order_id in self.appointments:
                return JSONResponse(self.appointments[sub_order_id])
            return JSONResponse({"status": "ERROR", "code": "NOT_FOUND", "message": "no appointment"}, 404)

        return app


@asynccontextmanager
async def serving_fake_appointment_service() -> AsyncIterator[FakeAppointmentService]:
    fake = FakeAppointmentService()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            fake.app(), host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not server.started:
        if task.done() or loop.time() > deadline:
            raise RuntimeError("fake appointment service did not start")
        await asyncio.sleep(0.02)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
