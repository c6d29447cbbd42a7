"""Handlers of consumed events and their inbox names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from shared_contracts.envelope import CloudEventMeta

Handler = Callable[[asyncpg.Connection, Any, CloudEventMeta], Awaitable[None]]
"""`async def handle(conn, event, meta)`: runs in an open transaction of `conn`."""


@dataclass(frozen=True)
class NamedHandler:
    """A handler with an explicit, stable inbox name (survives renaming the function)."""

    name: str
    handler: Handler

    async def __call__(self, conn: asyncpg.Connection, event: Any, meta: CloudEventMeta) -> None:
        await self.handler(conn, event, meta)


def handler_name(handler: Handler) -> str:
    """The inbox name of `handler`: its `NamedHandler` name, else `module.qualname`."""
    if isinstance(handler, NamedHandler):
        return handler.name
    module = getattr(handler, "__module__", None) or type(handler).__module__
    qualname = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{qualname}"
