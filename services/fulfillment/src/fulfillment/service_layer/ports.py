"""What the use cases need from outside: a database and the inventory service."""

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from fulfillment.domain.foundation import Foundation, FoundationQuery
from fulfillment.domain.holds import BackorderLine, HoldLine, HoldResult


class Inventory(Protocol):
    async def look_up(self, query: FoundationQuery, headers: dict[str, str]) -> Foundation: ...

    async def hold(
        self,
        customer_order_no: str,
        fulfill_order_no: str,
        lines: Sequence[HoldLine],
        *,
        partial: bool,
        hold_seconds: int,
        headers: dict[str, str],
    ) -> HoldResult: ...

    async def backorder(self, lines: Sequence[BackorderLine], headers: dict[str, str]) -> None: ...


class Database(Protocol):
    def reading(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...

    def writing(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection inside a transaction: everything written commits together or not at all."""
        ...


@dataclass(frozen=True)
class PoolDatabase:
    """HTTP requests: a pooled connection per step, a transaction for the commit."""

    pool: asyncpg.Pool

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn


@dataclass(frozen=True)
class ConnectionDatabase:
    """Kafka handlers: the handler's connection, whose transaction also holds the inbox claim."""

    conn: asyncpg.Connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[asyncpg.Connection]:
        yield self.conn

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.conn.transaction():
            yield self.conn


def trace_headers(trace_id: str | None) -> dict[str, str]:
    """Inventory requires `x-trace-id`; work that arrived without one gets a fresh one."""
    return {"x-trace-id": trace_id or f"fulfillment-{uuid.uuid4().hex}"}
