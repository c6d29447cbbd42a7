"""`create_app`: a FastAPI app with the platform's error body, header checks, health and metrics."""

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI

from shared_http.errors import install_error_handlers
from shared_http.headers import RequestHeaderChecks
from shared_http.health import ReadinessCheck, health_router
from shared_http.request_metrics import RequestMetrics
from shared_observability.tracing import fastapi_telemetry

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(
    service: str,
    *,
    readiness: Mapping[str, ReadinessCheck],
    lifespan: Lifespan | None = None,
    max_body_bytes: int = 1_048_576,
    **fastapi_options: Any,
) -> FastAPI:
    app = FastAPI(
        title=fastapi_options.pop("title", service),
        lifespan=lifespan,
        telemetry=fastapi_telemetry(),
        **fastapi_options,
    )
    install_error_handlers(app)
    app.include_router(health_router(readiness))
    # Added last = outermost: metrics see every answer, including the header checks' rejections.
    app.add_middleware(RequestHeaderChecks, max_body_bytes=max_body_bytes)
    app.add_middleware(RequestMetrics, service=service)
    return app
