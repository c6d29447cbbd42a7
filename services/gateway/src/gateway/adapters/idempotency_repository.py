"""`idempotency_records`: claims and stored answers of `x-transaction-id` requests, per client."""

from __future__ import annotations

import asyncpg

from gateway.domain.idempotency import IdempotencyRecord, IdempotencyStatus, StoredResponse

PURGE_BATCH = 1_000


class IdempotencyRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim(
        self, client_id: str, key: str, fingerprint: str, *, lease_seconds: float, ttl_seconds: int
    ) -> bool:
        """Take the key for this request: True when this caller is now its only owner.

        A new key is inserted; an expired record is replaced; an in-progress claim whose lease ran
        out (its owner died) is taken over by a request with the same fingerprint. Anything else
        stays as it is and the caller reads it.
        """
        row = await self.pool.fetchrow(
            """
            INSERT INTO idempotency_records AS r
                (client_id, idempotency_key, fingerprint, status, locked_until, created_at, expires_at)
            VALUES ($1, $2, $3, 'in_progress',
                    now() + make_interval(secs => $4), now(), now() + make_interval(secs => $5))
            ON CONFLICT (client_id, idempotency_key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, status = 'in_progress',
                    response_status = NULL, response_headers = NULL, response_body = NULL,
                    locked_until = EXCLUDED.locked_until, created_at = EXCLUDED.created_at,
                    expires_at = EXCLUDED.expires_at
                WHERE r.expires_at < now()
                   OR (r.status = 'in_progress' AND r.locked_until < now()
                       AND r.fingerprint = EXCLUDED.fingerprint)
            RETURNING 1
            """,
            client_id,
            key,
            fingerprint,
            float(lease_seconds),
            float(ttl_seconds),
        )
        return row is not None

    async def get(self, client_id: str, key: str) -> IdempotencyRecord | None:
        row = await self.pool.fetchrow(
            """
            SELECT fingerprint, status, response_status, response_headers, response_body, expires_at
            FROM idempotency_records
            WHERE client_id = $1 AND idempotency_key = $2 AND expires_at >= now()
            """,
            client_id,
            key,
        )
        if row is None:
            return None
        response = None
        if row["response_status"] is not None:
            response = StoredResponse(
                status=row["response_status"],
                body=bytes(row["response_body"] or b""),
                headers=dict(row["response_headers"] or {}),
            )
        return IdempotencyRecord(
            client_id=client_id,
            key=key,
            fingerprint=row["fingerprint"],
            status=IdempotencyStatus(row["status"]),
            response=response,
            expires_at=row["expires_at"],
        )

    async def complete(self, client_id: str, key: str, fingerprint: str, response: StoredResponse) -> None:
        await self.pool.execute(
            """
            UPDATE idempotency_records
            SET status = 'done', response_status = $4, response_headers = $5, response_body = $6
            WHERE client_id = $1 AND idempotency_key = $2 AND fingerprint = $3 AND status = 'in_progress'
            """,
            client_id,
            key,
            fingerprint,
            response.status,
            response.headers,
            response.body,
        )

    async def release(self, client_id: str, key: str, fingerprint: str) -> None:
        """Forget an in-progress claim (its call failed), so that a retry can be made."""
        await self.pool.execute(
            """
            DELETE FROM idempotency_records
            WHERE client_id = $1 AND idempotency_key = $2 AND fingerprint = $3 AND status = 'in_progress'
            """,
            client_id,
            key,
            fingerprint,
        )

    async def purge_expired(self) -> int:
        """Delete expired records in batches; returns how many went."""
        total = 0
        while True:
            status = await self.pool.execute(
                """
                DELETE FROM idempotency_records WHERE ctid IN (
                    SELECT ctid FROM idempotency_records WHERE expires_at < now() LIMIT $1
                )
                """,
                PURGE_BATCH,
            )
            deleted = int(status.split()[-1])
            total += deleted
            if deleted < PURGE_BATCH:
                return total
