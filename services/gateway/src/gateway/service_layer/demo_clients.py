"""The demo clients of API.md ("Demo environment"), created or repaired idempotently.

Running the seed again keeps credentials that still work (the file's secret verifies against the
stored hash and the client is enabled with the expected SP, environment and roles); any other demo
client is repaired and gets a new secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from gateway.domain.clients import ApiClient, Environment, Role
from gateway.service_layer.client_admin import ClientAdmin


@dataclass(frozen=True)
class DemoClient:
    name: str
    sp_id: str | None
    environment: Environment
    roles: frozenset[Role]

    def matches(self, client: ApiClient) -> bool:
        return (
            client.sp_id == self.sp_id
            and client.environment == self.environment
            and client.roles == self.roles
            and not client.disabled
        )


_DISTRIBUTOR: Final = frozenset({Role.DISTRIBUTOR})

DEMO_CLIENTS: Final[tuple[DemoClient, ...]] = (
    DemoClient("sandbox-sp", "sp-sandbox", "sandbox", _DISTRIBUTOR),
    DemoClient("production-sp", "sp-production", "production", _DISTRIBUTOR),
    DemoClient("connector-sp-a", "sp-connector-a", "sandbox", _DISTRIBUTOR),
    DemoClient("connector-sp-b", "sp-connector-b", "sandbox", _DISTRIBUTOR),
    DemoClient("oms", None, "production", frozenset({Role.MERCHANDISING})),
)
"""`connector-sp-a` and `connector-sp-b` are one connector's two credentials, one per SP."""


def credential_entry(client: ApiClient, secret: str) -> dict[str, Any]:
    """One entry of `var/demo-clients.json`."""
    return {
        "name": client.name,
        "client_id": client.client_id,
        "client_secret": secret,
        "environment": client.environment,
        "sp": client.sp_id,
        "roles": sorted(role.value for role in client.roles),
    }


def _previous_secrets(previous: Sequence[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """name -> (client_id, secret) of the well-formed entries of an earlier file."""
    found = {}
    for entry in previous:
        name, client_id, secret = entry.get("name"), entry.get("client_id"), entry.get("client_secret")
        if isinstance(name, str) and isinstance(client_id, str) and isinstance(secret, str):
            found[name] = (client_id, secret)
    return found


async def seed_demo_clients(
    admin: ClientAdmin, previous: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Every demo client with a working secret; `previous` is the earlier file's content, if any."""
    known = _previous_secrets(previous)
    entries = []
    for demo in DEMO_CLIENTS:
        existing = await admin.get_by_name(demo.name)
        if existing is None:
            issued = await admin.create(
                demo.name, sp_id=demo.sp_id, environment=demo.environment, roles=demo.roles
            )
            entries.append(credential_entry(issued.client, issued.secret))
            continue
        client_id, secret = known.get(demo.name, ("", ""))
        if client_id == existing.client_id and demo.matches(existing) and admin.verifies(existing, secret):
            entries.append(credential_entry(existing, secret))
            continue
        if not demo.matches(existing):
            existing = await admin.reset_profile(
                existing, sp_id=demo.sp_id, environment=demo.environment, roles=demo.roles
            )
        rotated = await admin.rotate(existing.client_id)
        assert rotated is not None
        entries.append(credential_entry(rotated.client, rotated.secret))
    return entries
