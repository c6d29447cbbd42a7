"""Composition root of the appointment service: Service territories, capacity and bookings."""

from pathlib import Path

from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="appointment",
        migrations=MIGRATIONS,
        title="appointment",
        description="Service territories, capacity and bookings",
    )
