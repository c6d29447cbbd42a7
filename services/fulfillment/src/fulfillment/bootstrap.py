"""Composition root of the fulfillment service: Customer orders and fulfillment orders."""

from pathlib import Path

from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="fulfillment",
        migrations=MIGRATIONS,
        title="fulfillment",
        description="Customer orders and fulfillment orders",
    )
