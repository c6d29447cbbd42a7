"""Pooled, traced HTTP client for calls between services: every wait is bounded."""

import httpx

from shared_observability.tracing import instrument_httpx


def create_client(
    base_url: str,
    *,
    timeout_seconds: float = 5.0,
    connect_timeout_seconds: float = 2.0,
    max_connections: int = 100,
) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )
    instrument_httpx(client)
    return client
