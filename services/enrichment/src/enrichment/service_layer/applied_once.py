"""A request with an `x-transaction-id` is applied once per client, even across a crash.

The gateway replays the answers it has stored, but it cannot store the answer of a call whose
service committed and then died (or whose answer was lost on the way): it releases its claim, and
the client's retry reaches this service again. So the key is also claimed here, in the effect's own
transaction, with the answer beside it: the retry gets the first answer, never a second effect
(ADR 0017).
"""

import hashlib
from typing import TypeVar

import asyncpg
from pydantic import BaseModel

from enrichment.adapters import applied_requests
from enrichment.domain.errors import TransactionIdReusedError
from enrichment.service_layer.context import RequestContext

AnswerT = TypeVar("AnswerT", bound=BaseModel)


def _fingerprint(operation: str, request: BaseModel) -> str:
    return hashlib.sha256(f"{operation}\x00{request.model_dump_json()}".encode()).hexdigest()


async def earlier_answer(
    conn: asyncpg.Connection,
    context: RequestContext,
    operation: str,
    request: BaseModel,
    answer_type: type[AnswerT],
) -> AnswerT | None:
    """The answer this request got when it was first applied; None when it is new (and now claimed).

    The same key with another operation or body is refused (409), as the gateway does.
    """
    if context.transaction_id is None:
        return None
    fingerprint = _fingerprint(operation, request)
    earlier = await applied_requests.claim(conn, context, context.transaction_id, fingerprint)
    if earlier is None:
        return None
    if earlier.fingerprint != fingerprint or earlier.response is None:
        raise TransactionIdReusedError(context.transaction_id)
    return answer_type.model_validate(earlier.response)


async def remember_answer(conn: asyncpg.Connection, context: RequestContext, answer: BaseModel) -> None:
    """Keep the answer of a request claimed by `earlier_answer`, in the same transaction."""
    if context.transaction_id is not None:
        await applied_requests.record_response(
            conn, context, context.transaction_id, answer.model_dump(mode="json")
        )
