"""Every service's request path stays on the event loop.

FastAPI runs a plain `def` endpoint or dependency in a worker thread: a hand-off per call that, on
the busy request paths, cost more CPU than the work those functions did (enrichment spent 9 % of
its CPU on it during submits). So every endpoint and dependency of every service is `async def`.
"""

import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from shared_runtime import ServiceRuntime

SERVICES = ("gateway", "enrichment", "appointment", "inventory", "fulfillment")


def _is_async(call: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # a router included into another
        if included is not None:
            yield from _api_routes(included.routes)


def _thread_pool_calls(service: str) -> list[str]:
    config = importlib.import_module(f"{service}.config")
    bootstrap = importlib.import_module(f"{service}.bootstrap")
    settings = config.Settings()
    app = ServiceRuntime(bootstrap.definition(settings), settings).app()
    found = set()
    routes = list(_api_routes(app.routes))
    assert routes, "no API routes found: has FastAPI's routing changed?"
    for route in routes:
        for call in [route.endpoint, *_calls(route.dependant)]:
            if not _is_async(call):
                found.add(f"{route.path}: {getattr(call, '__qualname__', repr(call))}")
    return sorted(found)


@pytest.mark.parametrize("service", SERVICES)
def test_no_endpoint_or_dependency_runs_in_the_thread_pool(service: str) -> None:
    assert _thread_pool_calls(service) == []
