"""API clients: who may call, for which Solution Provider, in which environment, with which roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal, get_args

from gateway.domain.hashing import HashedSecret

Environment = Literal["sandbox", "production"]
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)


class Role(StrEnum):
    DISTRIBUTOR = "distributor"
    """Calls the distributor API (`/api/v1`) for its own Solution Provider."""
    MERCHANDISING = "merchandising"
    """Calls the Merchandising services (`/MerchIntegrations/...`): OMS and store systems."""


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    name: str
    sp_id: str | None
    environment: Environment
    roles: frozenset[Role]
    secret: HashedSecret
    created_at: datetime
    rotated_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def may(self, role: Role) -> bool:
        return role in self.roles


def new_client_id() -> str:
    """A random, non-secret identifier (32 hex characters)."""
    return secrets.token_hex(16)


def new_client_secret() -> str:
    """256 random bits, URL-safe: too many to guess, so a keyed SHA-256 is a sufficient hash."""
    return secrets.token_urlsafe(32)


def check_client_fields(sp_id: str | None, roles: frozenset[Role]) -> None:
    """A distributor credential belongs to one SP; a merchandising-only one has none."""
    if not roles:
        raise ValueError("a client needs at least one role")
    if Role.DISTRIBUTOR in roles and not sp_id:
        raise ValueError("a distributor client needs a Solution Provider (--sp)")
