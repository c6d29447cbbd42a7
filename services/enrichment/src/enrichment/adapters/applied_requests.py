"""`applied_requests`: the answer of each request applied with an `x-transaction-id`, per client
of a tenant (a key never answers with another tenant's data, even if a client id were reused).

The row is written in the transaction of the request's effect, so "applied" and "answer known"
commit together. A concurrent duplicate's INSERT waits for the first transaction and then conflicts.
"""

from dataclasses import dataclass
from typing import Any

import asyncpg

from enrichment.service_layer.context import RequestContext


@dataclass(frozen=True)
class EarlierRequest:
    fingerprint: str
    response: dict[str, Any] | None


_KEY = "sp_id = $1 AND environment = $2 AND client_id = $3 AND transaction_id = $4"


def _key(context: RequestContext, transaction_id: str) -> tuple[str, str, str, str]:
    return context.tenant.sp_id, context.tenant.environment, context.client_id, transaction_id


async def claim(
    conn: asyncpg.Connection, context: RequestContext, transaction_id: str, fingerprint: str
) -> EarlierRequest | None:
    """None when this is the key's first request (now claimed); else what the earlier one left."""
    claimed = await conn.fetchval(
        """
        INSERT INTO applied_requests (sp_id, environment, client_id, transaction_id, fingerprint)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT DO NOTHING
        RETURNING true
        """,
        *_key(context, transaction_id),
        fingerprint,
    )
    if claimed:
        return None
    row = await conn.fetchrow(
        f"SELECT fingerprint, response FROM applied_requests WHERE {_KEY}", *_key(context, transaction_id)
    )
    assert row is not None, "a conflicting claim is committed, so it is visible"
    return EarlierRequest(row["fingerprint"], row["response"])


async def record_response(
    conn: asyncpg.Connection, context: RequestContext, transaction_id: str, response: dict[str, Any]
) -> None:
    await conn.execute(
        f"UPDATE applied_requests SET response = $5 WHERE {_KEY}", *_key(context, transaction_id), response
    )
