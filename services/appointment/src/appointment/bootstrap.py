"""Composition root of the appointment service: service territories, capacity and bookings."""

from pathlib import Path

from fastapi import APIRouter

from appointment.config import Settings
from appointment.entrypoints.cli import reference_command
from appointment.entrypoints.http import distributor_routes, internal_routes
from appointment.entrypoints.http.dependencies import components_lifespan
from appointment.entrypoints.order_events import on_order_enriched
from appointment.service_layer.rules import AppointmentRules
from shared_contracts import topics
from shared_runtime import Consumes, ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def http_api(settings: Settings, rules: AppointmentRules | None = None) -> APIRouter:
    api = APIRouter(lifespan=components_lifespan(settings, rules))
    api.include_router(distributor_routes.router)
    api.include_router(internal_routes.router)
    return api


def definition(settings: Settings | None = None, rules: AppointmentRules | None = None) -> ServiceDefinition:
    """`rules` replaces the ones made from `settings` (tests pass a fixed clock)."""
    return ServiceDefinition(
        name="appointment",
        migrations=MIGRATIONS,
        routers=[http_api(settings or Settings(), rules)],
        consumes=[
            Consumes(topics.ORDERS, {"OrderEnriched": on_order_enriched}),
        ],
        title="appointment",
        description="Service territories, capacity and bookings",
        commands={"reference": reference_command(MIGRATIONS)},
    )
