"""Composition root of the gateway: the public edge (authentication, validation, idempotency,
rate limits, routing to the owning services). It owns API clients and idempotency records and
publishes no events."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter

from gateway.config import Settings
from gateway.edge import Edge
from gateway.entrypoints.cli import clients_main
from gateway.entrypoints.http.routes import add_public_routes
from gateway.entrypoints.openapi_command import openapi_main
from gateway.service_layer.forwarding import ClientFactory
from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
DESCRIPTION = "Public edge: authentication, validation, idempotency, rate limits, routing"


@dataclass(frozen=True)
class Assembly:
    definition: ServiceDefinition
    edge: Edge


def assemble(settings: Settings | None = None, *, client_factory: ClientFactory | None = None) -> Assembly:
    """The service definition and its edge; `client_factory` replaces the upstream HTTP clients (tests)."""
    settings = settings or Settings()
    edge = Edge(settings, client_factory=client_factory)
    router = APIRouter(lifespan=edge.lifespan)
    add_public_routes(router, lambda: edge.pipeline)
    definition = ServiceDefinition(
        name="gateway",
        migrations=MIGRATIONS,
        routers=[router],
        consumes=(),
        publishes=False,
        title="Order platform API (gateway)",
        description=DESCRIPTION,
        commands={"clients": clients_main, "openapi": openapi_main},
    )
    return Assembly(definition, edge)


def definition(settings: Settings | None = None) -> ServiceDefinition:
    return assemble(settings).definition
