"""Composition root of the fulfillment service: customer orders and fulfillment orders."""

from pathlib import Path

import httpx

from fulfillment.config import Settings
from fulfillment.entrypoints.components import build_components
from fulfillment.entrypoints.http.routes import merchandising_router
from fulfillment.entrypoints.kafka import subscriptions
from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition(
    settings: Settings | None = None, inventory_transport: httpx.AsyncBaseTransport | None = None
) -> ServiceDefinition:
    """`inventory_transport` lets tests call an in-process inventory instead of `INVENTORY_URL`."""
    settings = settings or Settings()
    components = build_components(settings, inventory_transport)
    return ServiceDefinition(
        name=settings.service_name,
        migrations=MIGRATIONS,
        routers=[merchandising_router(components)],
        consumes=subscriptions(components),
        title="fulfillment",
        description="Customer orders and fulfillment orders",
    )
