"""Composition root of the gateway service: Public edge: authentication, idempotency, routing."""

from pathlib import Path

from shared_runtime import ServiceDefinition

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="gateway",
        migrations=MIGRATIONS,
        title="gateway",
        description="Public edge: authentication, idempotency, routing",
    )
