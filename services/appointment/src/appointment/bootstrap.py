"""Composition root of the appointment service: service territories, capacity and bookings."""

from pathlib import Path

from appointment.entrypoints.order_events import on_order_created, on_order_enriched
from shared_contracts import topics
from shared_runtime import Consumes, ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="appointment",
        migrations=MIGRATIONS,
        consumes=[
            Consumes(topics.ORDERS, {"OrderCreated": on_order_created, "OrderEnriched": on_order_enriched}),
        ],
        title="appointment",
        description="Service territories, capacity and bookings",
    )
