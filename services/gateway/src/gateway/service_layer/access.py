"""Admission of a request: authenticated (401), allowed for the path's role (403), within its rate (429).

Failed logins are limited per presented `client_id`: once its failure bucket is empty, every
attempt with that id answers 429 (right secret or not) until a token is back, so guessing is capped
at the failure rate. They are limited per source address too (the TCP peer, or the client named by
a trusted proxy's `X-Forwarded-For`): spraying guesses over many client ids from one address is
capped the same way. The limits live in this process (one set per replica, see ADR 0007).
"""

from __future__ import annotations

import logging

from gateway import metrics
from gateway.domain.clients import ApiClient, Role
from gateway.domain.token_bucket import RateLimiter, retry_after_header
from gateway.service_layer.authentication import (
    MAX_CLIENT_ID_LENGTH,
    AuthenticationFailed,
    Authenticator,
    CredentialStoreUnavailable,
)
from shared_http.errors import ApiError

log = logging.getLogger(__name__)

UNAUTHORIZED_MESSAGE = "Missing or invalid client credentials (headers client_id and client_secret)"
LOGGED_CLIENT_ID_CHARS = 64


def _too_many(wait_seconds: float, message: str) -> ApiError:
    return ApiError(429, "RATE_LIMITED", message, headers={"Retry-After": retry_after_header(wait_seconds)})


class Gatekeeper:
    def __init__(
        self,
        authenticator: Authenticator,
        requests: RateLimiter,
        failed_logins: RateLimiter,
        failed_logins_by_source: RateLimiter | None = None,
    ) -> None:
        self.authenticator = authenticator
        self.requests = requests
        self.failed_logins = failed_logins
        self.failed_logins_by_source = failed_logins_by_source

    async def admit(
        self, client_id: str | None, secret: str | None, role: Role, source_address: str | None = None
    ) -> ApiClient:
        client = await self._authenticate(client_id, secret, source_address)
        if not client.may(role):
            raise ApiError(403, "FORBIDDEN", f"This client is not allowed to call the {role.value} API")
        wait = self.requests.acquire(client.client_id)
        if wait > 0:
            metrics.RATE_LIMITED.labels(limit="client").inc()
            raise _too_many(wait, "Too many requests for this client; retry after the Retry-After delay")
        return client

    async def _authenticate(
        self, client_id: str | None, secret: str | None, source_address: str | None
    ) -> ApiClient:
        failure_key = (client_id or "")[:MAX_CLIENT_ID_LENGTH]
        by_source = self.failed_logins_by_source
        if by_source is not None and source_address:
            wait = by_source.blocked_for(source_address)
            if wait > 0:
                metrics.RATE_LIMITED.labels(limit="login_source").inc()
                raise _too_many(wait, "Too many failed authentications from this address")
        if failure_key:
            wait = self.failed_logins.blocked_for(failure_key)
            if wait > 0:
                metrics.RATE_LIMITED.labels(limit="login").inc()
                raise _too_many(wait, "Too many failed authentications for this client_id")
        try:
            return await self.authenticator.authenticate(client_id, secret)
        except CredentialStoreUnavailable as error:
            raise ApiError(503, "UNAVAILABLE", "Authentication is temporarily unavailable") from error
        except AuthenticationFailed as failure:
            metrics.AUTH_FAILURES.labels(reason=failure.reason).inc()
            shown = (client_id or "")[:LOGGED_CLIENT_ID_CHARS]
            log.warning("authentication failed", extra={"client_id": shown, "reason": failure.reason})
            if failure_key:  # a guess (no client_id at all is a misconfigured caller, not a guess)
                self.failed_logins.acquire(failure_key)
                if by_source is not None and source_address:
                    by_source.acquire(source_address)
            raise ApiError(401, "UNAUTHORIZED", UNAUTHORIZED_MESSAGE) from None
