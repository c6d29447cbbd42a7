"""Composition root of the inventory service: items, locations, stock buckets, reservations.

HTTP: the Merchandising inventory services (availability, backorders, substitutions) and the
internal reservations and foundation data APIs. Kafka: OMS backorder and substitution commands,
fulfillment's events (confirm / release holds). Background: hold sweeper, batch window.
"""

from pathlib import Path

from fastapi import APIRouter

from inventory.config import Settings
from inventory.domain.batch_window import parse_schedule
from inventory.entrypoints.background import background_lifespan
from inventory.entrypoints.cli.batch_window import batch_window_main
from inventory.entrypoints.cli.data import data_main
from inventory.entrypoints.cli.stock import stock_main
from inventory.entrypoints.http.dependencies import Components
from inventory.entrypoints.http.foundation import foundation_router
from inventory.entrypoints.http.merchandising import merchandising_router
from inventory.entrypoints.http.reservations import reservations_router
from inventory.entrypoints.kafka import subscriptions
from inventory.service_layer.batch_window import BatchWindow
from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def components(settings: Settings) -> Components:
    return Components(settings, BatchWindow(parse_schedule(settings.batch_window)))


def http_api(parts: Components) -> APIRouter:
    api = APIRouter(lifespan=background_lifespan(parts))
    api.include_router(merchandising_router(parts))
    api.include_router(reservations_router(parts))
    api.include_router(foundation_router())
    return api


def definition(settings: Settings | None = None) -> ServiceDefinition:
    parts = components(settings or Settings())
    return ServiceDefinition(
        name="inventory",
        migrations=MIGRATIONS,
        routers=[http_api(parts)],
        consumes=subscriptions(parts.window),
        title="inventory",
        description="Items, locations, stock buckets and reservations",
        commands={"data": data_main, "stock": stock_main, "batch-window": batch_window_main},
    )
