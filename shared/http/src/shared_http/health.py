"""`/health/live`, `/health/ready` (every readiness check passes within its bound) and `/metrics`."""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from shared_observability.metrics import render_latest

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises (or times out) when a dependency is not usable."""

CHECK_TIMEOUT_SECONDS = 2.0


async def _run_check(check: ReadinessCheck) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
        return "ok"
    except Exception as error:
        return f"failed: {type(error).__name__}: {error}"[:300]


def health_router(checks: Mapping[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", summary="The process is running")
    async def live() -> dict[str, str]:
        return {"status": "UP"}

    @router.get("/health/ready", summary="Database, Kafka and migrations are usable")
    async def ready() -> JSONResponse:
        names = list(checks)
        results = await asyncio.gather(*(_run_check(checks[name]) for name in names))
        report = dict(zip(names, results, strict=True))
        healthy = all(result == "ok" for result in results)
        return JSONResponse(
            {"status": "UP" if healthy else "DOWN", "checks": report}, status_code=200 if healthy else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, content_type = render_latest()
        return Response(body, media_type=content_type)

    return router
