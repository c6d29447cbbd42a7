"""`api_clients`: the API clients and their hashed secrets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from gateway.domain.clients import ApiClient, Role
from gateway.domain.hashing import HashedSecret

_COLUMNS = (
    "client_id, name, sp_id, environment, roles, secret_hash, key_id, created_at, rotated_at, disabled_at"
)


def _client(row: asyncpg.Record) -> ApiClient:
    return ApiClient(
        client_id=row["client_id"],
        name=row["name"],
        sp_id=row["sp_id"],
        environment=row["environment"],
        roles=frozenset(Role(role) for role in row["roles"]),
        secret=HashedSecret(row["key_id"], row["secret_hash"]),
        created_at=row["created_at"],
        rotated_at=row["rotated_at"],
        disabled_at=row["disabled_at"],
    )


class ClientNameTaken(Exception):
    pass


class ClientRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def _one(self, sql: str, *args: Any) -> ApiClient | None:
        row = await self.pool.fetchrow(sql, *args)
        return None if row is None else _client(row)

    async def get(self, client_id: str) -> ApiClient | None:
        return await self._one(f"SELECT {_COLUMNS} FROM api_clients WHERE client_id = $1", client_id)

    async def get_by_name(self, name: str) -> ApiClient | None:
        return await self._one(f"SELECT {_COLUMNS} FROM api_clients WHERE name = $1", name)

    async def list_all(self) -> Sequence[ApiClient]:
        rows = await self.pool.fetch(f"SELECT {_COLUMNS} FROM api_clients ORDER BY created_at, name")
        return [_client(row) for row in rows]

    async def insert(
        self,
        *,
        client_id: str,
        name: str,
        sp_id: str | None,
        environment: str,
        roles: frozenset[Role],
        secret: HashedSecret,
    ) -> ApiClient:
        try:
            row = await self.pool.fetchrow(
                f"""
                INSERT INTO api_clients (client_id, name, sp_id, environment, roles, secret_hash, key_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                RETURNING {_COLUMNS}
                """,
                client_id,
                name,
                sp_id,
                environment,
                sorted(roles),
                secret.digest,
                secret.key_id,
            )
        except asyncpg.UniqueViolationError as error:
            raise ClientNameTaken(name) from error
        assert row is not None
        return _client(row)

    async def replace_secret(self, client_id: str, secret: HashedSecret) -> ApiClient | None:
        """A new secret (rotation): the old one stops working."""
        return await self._one(
            f"""
            UPDATE api_clients SET secret_hash = $2, key_id = $3, rotated_at = now()
            WHERE client_id = $1 RETURNING {_COLUMNS}
            """,
            client_id,
            secret.digest,
            secret.key_id,
        )

    async def rehash(self, client_id: str, old: HashedSecret, new: HashedSecret) -> None:
        """The same secret hashed under the current server key (only if nothing changed meanwhile)."""
        await self.pool.execute(
            """
            UPDATE api_clients SET secret_hash = $4, key_id = $5
            WHERE client_id = $1 AND secret_hash = $2 AND key_id = $3
            """,
            client_id,
            old.digest,
            old.key_id,
            new.digest,
            new.key_id,
        )

    async def update_profile(
        self, client_id: str, *, sp_id: str | None, environment: str, roles: frozenset[Role]
    ) -> ApiClient | None:
        """SP, environment and roles as given; the client is enabled again."""
        return await self._one(
            f"""
            UPDATE api_clients SET sp_id = $2, environment = $3, roles = $4, disabled_at = NULL
            WHERE client_id = $1 RETURNING {_COLUMNS}
            """,
            client_id,
            sp_id,
            environment,
            sorted(roles),
        )

    async def disable(self, client_id: str) -> ApiClient | None:
        return await self._one(
            f"""
            UPDATE api_clients SET disabled_at = coalesce(disabled_at, now())
            WHERE client_id = $1 RETURNING {_COLUMNS}
            """,
            client_id,
        )
