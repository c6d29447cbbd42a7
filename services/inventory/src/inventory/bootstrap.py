"""Composition root of the inventory service: Items, locations, stock buckets and reservations."""

from pathlib import Path

from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="inventory",
        migrations=MIGRATIONS,
        title="inventory",
        description="Items, locations, stock buckets and reservations",
    )
