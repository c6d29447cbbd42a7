"""Gateway settings: the shared ones plus the edge's own (read from the environment).

| variable | default | meaning |
|---|---|---|
| `HTTP_PORT` | 8080 | listening port (`make up` sets it from `GATEWAY_PORT`) |
| `ENRICHMENT_URL` ... `FULFILLMENT_URL` | 127.0.0.1:8081..8084 | internal base URL of each owning service |
| `ENABLED_UPSTREAMS` | all four | comma-separated services; other routes answer 503 `UNAVAILABLE` |
| `UPSTREAM_TIMEOUT_SECONDS` | 10 | bound on one forwarded call, all waits included |
| `UPSTREAM_CONNECT_TIMEOUT_SECONDS` | 2 | TCP connect bound |
| `UPSTREAM_MAX_CONNECTIONS` | 100 | pooled connections per upstream |
| `UPSTREAM_MAX_IN_FLIGHT` | 500 | calls to one upstream under way or waiting (more: 503 at once) |
| `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` | 50, 100 | token bucket per client (0 = off) |
| `AUTH_FAILURE_RATE_PER_SECOND`, `AUTH_FAILURE_BURST` | 0.2, 10 | failed logins per presented client_id |
| `AUTH_FAILURE_PER_SOURCE_RATE_PER_SECOND`, `..._BURST` | 2, 200 | failed logins per source address |
| `MAX_BODY_BYTES` | 1048576 | request body cap (413); at most the shared 1 MiB limit |
| `MAX_COLLECTION_ITEMS` | 1000 | any JSON array in a body (400); models may set lower caps |
| `GATEWAY_SECRET_KEY` | local-dev value | HMAC key of the stored client secrets; set it outside local dev |
| `GATEWAY_PREVIOUS_SECRET_KEYS` | empty | comma-separated older HMAC keys still accepted (rehashed on use) |
| `AUTH_CACHE_TTL_SECONDS` | 10 | how long a verified client is trusted without reading the database |
| `IDEMPOTENCY_TTL_SECONDS` | 86400 | how long a `x-transaction-id` answer is kept for replay |
"""

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from shared_runtime import ServiceSettings

LOCAL_DEV_SECRET_KEY = "local-dev-only-gateway-hmac-key-do-not-use-in-production"
"""The default HMAC key: fine on a laptop, never anywhere else (the gateway logs a warning)."""

SHARED_BODY_LIMIT_BYTES = 1_048_576
"""The body limit `shared_http` applies to every service before any gateway code runs."""


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class Settings(ServiceSettings):
    service_name: str = "gateway"
    http_port: int = 8080

    enrichment_url: str = "http://127.0.0.1:8081"
    appointment_url: str = "http://127.0.0.1:8082"
    inventory_url: str = "http://127.0.0.1:8083"
    fulfillment_url: str = "http://127.0.0.1:8084"
    enabled_upstreams: Annotated[tuple[str, ...], NoDecode] = (
        "enrichment",
        "appointment",
        "inventory",
        "fulfillment",
    )
    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    upstream_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    upstream_max_connections: int = Field(default=100, ge=1)
    upstream_max_in_flight: int = Field(default=500, ge=1)

    rate_limit_per_second: float = Field(default=50.0, ge=0)
    rate_limit_burst: int = Field(default=100, ge=1)
    auth_failure_rate_per_second: float = Field(default=0.2, ge=0)
    auth_failure_burst: int = Field(default=10, ge=1)
    auth_failure_per_source_rate_per_second: float = Field(default=2.0, ge=0)
    auth_failure_per_source_burst: int = Field(default=200, ge=1)

    max_body_bytes: int = Field(default=SHARED_BODY_LIMIT_BYTES, ge=1, le=SHARED_BODY_LIMIT_BYTES)
    max_collection_items: int = Field(default=1000, ge=1)

    gateway_secret_key: SecretStr = SecretStr(LOCAL_DEV_SECRET_KEY)
    gateway_previous_secret_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    auth_cache_ttl_seconds: float = Field(default=10.0, ge=0)
    auth_cache_max_entries: int = Field(default=10_000, ge=1)

    idempotency_ttl_seconds: int = Field(default=86_400, ge=60)
    idempotency_purge_interval_seconds: float = Field(default=300.0, gt=0)

    @field_validator("enabled_upstreams", "gateway_previous_secret_keys", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _comma_separated(value)

    @property
    def upstream_deadline_seconds(self) -> float:
        """The whole forwarded call (connect, send, wait, read) is cut off after this."""
        return self.upstream_timeout_seconds + self.upstream_connect_timeout_seconds

    @property
    def idempotency_lease_seconds(self) -> float:
        """An in-progress claim older than this is taken over (its owner died mid-call)."""
        return self.upstream_deadline_seconds + 5.0

    @property
    def idempotency_wait_seconds(self) -> float:
        """A duplicate waits at most this long for the first request's answer."""
        return self.upstream_deadline_seconds + 1.0

    def upstream_urls(self) -> dict[str, str]:
        return {
            "enrichment": self.enrichment_url,
            "appointment": self.appointment_url,
            "inventory": self.inventory_url,
            "fulfillment": self.fulfillment_url,
        }
