"""Composition root of the enrichment service: orders, contracts, sub-orders and their enrichment."""

from pathlib import Path

from fastapi import APIRouter

from enrichment.config import Settings
from enrichment.entrypoints.http import distributor_routes, internal_routes
from enrichment.entrypoints.http.dependencies import components_lifespan
from enrichment.entrypoints.kafka import subscriptions
from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def http_api(settings: Settings) -> APIRouter:
    api = APIRouter(lifespan=components_lifespan(settings))
    api.include_router(distributor_routes.router)
    api.include_router(internal_routes.router)
    return api


def definition(settings: Settings | None = None) -> ServiceDefinition:
    return ServiceDefinition(
        name="enrichment",
        migrations=MIGRATIONS,
        routers=[http_api(settings or Settings())],
        consumes=subscriptions(),
        title="enrichment",
        description="Orders, contracts, sub-orders and their enrichment",
    )
