"""Creating, rotating, disabling and listing API clients (the `clients` command uses this)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.adapters.client_repository import ClientRepository
from gateway.domain.clients import (
    ApiClient,
    Environment,
    Role,
    check_client_fields,
    new_client_id,
    new_client_secret,
)
from gateway.domain.hashing import SecretHasher


@dataclass(frozen=True)
class IssuedCredential:
    """A client with its plain secret: shown once, then only its hash exists."""

    client: ApiClient
    secret: str


class ClientAdmin:
    def __init__(self, repository: ClientRepository, hasher: SecretHasher) -> None:
        self.repository = repository
        self.hasher = hasher

    async def create(
        self, name: str, *, sp_id: str | None, environment: Environment, roles: frozenset[Role]
    ) -> IssuedCredential:
        check_client_fields(sp_id, roles)
        secret = new_client_secret()
        client = await self.repository.insert(
            client_id=new_client_id(),
            name=name,
            sp_id=sp_id,
            environment=environment,
            roles=roles,
            secret=self.hasher.hash(secret),
        )
        return IssuedCredential(client, secret)

    async def rotate(self, client_id: str) -> IssuedCredential | None:
        secret = new_client_secret()
        client = await self.repository.replace_secret(client_id, self.hasher.hash(secret))
        return None if client is None else IssuedCredential(client, secret)

    async def disable(self, client_id: str) -> ApiClient | None:
        return await self.repository.disable(client_id)

    async def list(self) -> Sequence[ApiClient]:
        return await self.repository.list_all()

    async def get_by_name(self, name: str) -> ApiClient | None:
        return await self.repository.get_by_name(name)

    async def reset_profile(
        self, client: ApiClient, *, sp_id: str | None, environment: Environment, roles: frozenset[Role]
    ) -> ApiClient:
        check_client_fields(sp_id, roles)
        updated = await self.repository.update_profile(
            client.client_id, sp_id=sp_id, environment=environment, roles=roles
        )
        assert updated is not None
        return updated

    def verifies(self, client: ApiClient, secret: str) -> bool:
        return self.hasher.verify(secret, client.secret)
