"""The headers a forwarded request carries: built from scratch, never copied from the caller.

Services trust the identity headers (`shared_http.caller`), so they come only from the verified
credential; whatever identity headers the caller sent are dropped, as are its credentials. W3C
trace context is added by the instrumented HTTP client from the gateway's own span.
"""

from __future__ import annotations

from gateway.domain.clients import ApiClient
from shared_http.caller import (
    CLIENT_HEADER,
    ENVIRONMENT_HEADER,
    ROLES_HEADER,
    SOURCE_HEADER,
    SP_HEADER,
    TRANSACTION_HEADER,
)

TRACE_HEADER = "x-trace-id"
MAX_SOURCE_LENGTH = 255


def forwarded_headers(
    client: ApiClient,
    *,
    trace_id: str,
    transaction_id: str | None,
    source: str | None,
    has_body: bool,
) -> dict[str, str]:
    headers = {
        "accept": "application/json",
        TRACE_HEADER: trace_id,
        CLIENT_HEADER: client.client_id,
        ENVIRONMENT_HEADER: client.environment,
        ROLES_HEADER: ",".join(sorted(role.value for role in client.roles)),
    }
    if client.sp_id:
        headers[SP_HEADER] = client.sp_id
    if transaction_id:
        headers[TRANSACTION_HEADER] = transaction_id
    if source:
        headers[SOURCE_HEADER] = source
    if has_body:
        headers["content-type"] = "application/json"
    return headers
