"""Wait until a dependency really answers (not just an open port).

    python deploy/local/wait_for.py kafka 127.0.0.1:9092 [SECONDS]      metadata request succeeds
    python deploy/local/wait_for.py postgres postgresql://... [SECONDS]  `SELECT 1` succeeds
    python deploy/local/wait_for.py http http://127.0.0.1:8080/health/ready [SECONDS]  answers 200

Exits 0 when ready, 1 after SECONDS (default 60) with the last error.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient


async def kafka_ready(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await asyncio.wait_for(admin.start(), 5)
    try:
        await asyncio.wait_for(admin.describe_cluster(), 5)
    finally:
        await asyncio.wait_for(admin.close(), 5)


async def postgres_ready(dsn: str) -> None:
    conn = await asyncpg.connect(dsn, timeout=3)
    try:
        await conn.fetchval("SELECT 1", timeout=3)
    finally:
        await conn.close(timeout=3)


async def http_ready(url: str) -> None:
    async with httpx.AsyncClient(timeout=3) as client:
        response = await client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:200]}")


CHECKS: dict[str, Callable[[str], Awaitable[None]]] = {
    "kafka": kafka_ready,
    "postgres": postgres_ready,
    "http": http_ready,
}


async def wait(kind: str, target: str, seconds: float) -> int:
    check = CHECKS[kind]
    deadline = time.monotonic() + seconds
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            await check(target)
            return 0
        except Exception as error:  # any failure means "not yet"
            last_error = error
            await asyncio.sleep(0.5)
    print(f"{kind} {target} not ready after {seconds:.0f}s: {last_error!r}", file=sys.stderr)
    return 1


def main() -> int:
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        print(__doc__, file=sys.stderr)
        return 2
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    return asyncio.run(wait(sys.argv[1], sys.argv[2], seconds))


if __name__ == "__main__":
    sys.exit(main())
