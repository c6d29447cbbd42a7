"""Who is calling: the identity the gateway authenticated, as services receive it.

The gateway is the only public edge (docs/adr/0006). After authenticating `client_id` /
`client_secret` it forwards the request with these headers, which services trust:

| header | meaning |
|---|---|
| `x-client-id` | the authenticated client |
| `x-sp-id` | the Solution Provider the credential belongs to (tenant); absent for OMS clients |
| `x-environment` | `sandbox` or `production` |
| `x-roles` | comma-separated roles, e.g. `distributor` or `merchandising` |
"""

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from shared_http.errors import ApiError

CLIENT_HEADER = "x-client-id"
SP_HEADER = "x-sp-id"
ENVIRONMENT_HEADER = "x-environment"
ROLES_HEADER = "x-roles"
TRANSACTION_HEADER = "x-transaction-id"
SOURCE_HEADER = "source"
MERCHANDISING_ROLE = "merchandising"

Environment = Literal["sandbox", "production"]


@dataclass(frozen=True)
class Caller:
    client_id: str
    sp_id: str | None
    environment: Environment
    roles: frozenset[str]
    trace_id: str
    transaction_id: str | None
    source: str | None

    @property
    def is_sandbox(self) -> bool:
        return self.environment == "sandbox"

    def forwarded_headers(self) -> dict[str, str]:
        """The identity headers, for a service that calls another on the caller's behalf."""
        headers = {
            CLIENT_HEADER: self.client_id,
            ENVIRONMENT_HEADER: self.environment,
            ROLES_HEADER: ",".join(sorted(self.roles)),
            "x-trace-id": self.trace_id,
        }
        if self.sp_id:
            headers[SP_HEADER] = self.sp_id
        if self.transaction_id:
            headers[TRANSACTION_HEADER] = self.transaction_id
        if self.source:
            headers[SOURCE_HEADER] = self.source
        return headers


def caller_from_request(request: Request) -> Caller:
    headers = request.headers
    client_id = headers.get(CLIENT_HEADER)
    environment = headers.get(ENVIRONMENT_HEADER, "production")
    if not client_id or environment not in ("sandbox", "production"):
        raise ApiError(401, "UNAUTHORIZED", "Request did not come through the gateway")
    roles = frozenset(role for role in headers.get(ROLES_HEADER, "").split(",") if role)
    return Caller(
        client_id=client_id,
        sp_id=headers.get(SP_HEADER) or None,
        environment=environment,  # type: ignore[arg-type]  # checked above
        roles=roles,
        trace_id=headers.get("x-trace-id", ""),
        transaction_id=headers.get(TRANSACTION_HEADER) or None,
        source=headers.get(SOURCE_HEADER) or None,
    )


def tenant_caller(request: Request) -> Caller:
    """A distributor caller: has an SP (every order, CDG and appointment is scoped to it)."""
    caller = caller_from_request(request)
    if caller.sp_id is None:
        raise ApiError(403, "FORBIDDEN", "This operation needs a Solution Provider credential")
    return caller


def merchandising_caller(request: Request) -> Caller:
    """A caller the gateway authenticated with the merchandising role (OMS, store systems)."""
    caller = caller_from_request(request)
    if MERCHANDISING_ROLE not in caller.roles:
        raise ApiError(403, "FORBIDDEN", "The Merchandising services need the merchandising role")
    return caller


async def _any_caller(request: Request) -> Caller:
    # The dependencies are async: FastAPI runs a plain `def` dependency in a worker thread.
    return caller_from_request(request)


async def _tenant(request: Request) -> Caller:
    return tenant_caller(request)


async def _merchandising(request: Request) -> Caller:
    return merchandising_caller(request)


CallerDep = Annotated[Caller, Depends(_any_caller)]
TenantDep = Annotated[Caller, Depends(_tenant)]
MerchandisingDep = Annotated[Caller, Depends(_merchandising)]
