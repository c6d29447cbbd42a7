"""The public routes: one per operation (so metrics and 405s follow the API), plus the retired submit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from gateway.domain.routing import OPERATIONS, RETIRED_SUBMIT_MESSAGE, RETIRED_SUBMIT_PATH, Operation
from gateway.entrypoints.http.pipeline import ProxyPipeline
from shared_http.errors import ApiError

Endpoint = Callable[[Request], Awaitable[Response]]
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _endpoint(operation: Operation, pipeline: Callable[[], ProxyPipeline]) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await pipeline().handle(request, operation)

    endpoint.__name__ = operation.operation_id
    return endpoint


async def retired_submit(request: Request) -> Response:
    raise ApiError(404, "NOT_FOUND", RETIRED_SUBMIT_MESSAGE)


def add_public_routes(router: APIRouter, pipeline: Callable[[], ProxyPipeline]) -> None:
    """`pipeline` gives the running pipeline (it exists once the service has started)."""
    for operation in OPERATIONS:
        router.add_api_route(
            operation.path,
            _endpoint(operation, pipeline),
            methods=[operation.method],
            include_in_schema=False,
            name=operation.operation_id,
        )
    router.add_api_route(RETIRED_SUBMIT_PATH, retired_submit, methods=ANY_METHOD, include_in_schema=False)
