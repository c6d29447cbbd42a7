"""The service's parts shared by its routes and consumers: rules and the inventory client."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from fulfillment.adapters.inventory_client import HttpInventory
from fulfillment.config import Settings
from fulfillment.service_layer.rules import Rules, rules_from
from shared_http.service_client import ServiceClient, service_client


@dataclass(frozen=True)
class Components:
    rules: Rules
    inventory: HttpInventory
    client: ServiceClient


def build_components(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> Components:
    """`transport` replaces the network (tests run inventory in-process)."""
    client = service_client(
        settings.inventory_url,
        timeout_seconds=settings.inventory_timeout_seconds,
        connect_timeout_seconds=settings.inventory_connect_timeout_seconds,
        transport=transport,
    )
    return Components(rules_from(settings), HttpInventory(client), client)


def components_lifespan(components: Components) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Closes the inventory client when the app stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.fulfillment = components
        try:
            yield
        finally:
            await components.client.aclose()

    return lifespan
