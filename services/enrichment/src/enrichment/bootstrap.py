"""Composition root of the enrichment service: Orders, contracts, sub-orders and their enrichment."""

from pathlib import Path

from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="enrichment",
        migrations=MIGRATIONS,
        title="enrichment",
        description="Orders, contracts, sub-orders and their enrichment",
    )
