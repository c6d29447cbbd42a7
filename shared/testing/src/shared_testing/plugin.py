"""Pytest plugin (loaded from the root pyproject with `-p shared_testing.plugin`).

Session fixtures: `kafka_bootstrap`, `pg_admin_url`, `service_db_urls` (each service's own role),
`platform_topics` (every platform topic and DLQ created).
Per-test fixtures: `scratch_schema` (a throwaway schema and a pool whose search_path is it),
`new_topic` (a factory of uniquely named topics, deleted afterwards), `kafka_admin`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared_testing.infrastructure import kafka_bootstrap_servers, postgres_admin_url


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    with kafka_bootstrap_servers() as servers:
        yield servers


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    with postgres_admin_url() as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def service_db_urls(pg_admin_url: str) -> dict[str, str]:
    from shared_db.provision import provision

    return await provision(pg_admin_url)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def platform_topics(kafka_bootstrap: str) -> list[str]:
    """Every platform topic and its DLQ exist on the test broker (auto-creation is off)."""
    from shared_contracts.topics import DEFAULT_PARTITIONS, EVENT_TOPICS
    from shared_messaging.topics import ensure_topics

    topics = list(EVENT_TOPICS)
    await ensure_topics(kafka_bootstrap, topics, DEFAULT_PARTITIONS)
    return topics


@dataclass
class ScratchSchema:
    name: str
    pool: asyncpg.Pool
    admin_url: str


@pytest_asyncio.fixture(loop_scope="session")
async def scratch_schema(pg_admin_url: str) -> AsyncIterator[ScratchSchema]:
    from shared_db.pool import create_pool

    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_admin_url, timeout=10)
    await admin.execute(f"CREATE SCHEMA {name}")
    pool = await create_pool(pg_admin_url, name, min_size=1, max_size=10)
    try:
        yield ScratchSchema(name=name, pool=pool, admin_url=pg_admin_url)
    finally:
        await pool.close()
        await admin.execute(f"DROP SCHEMA {name} CASCADE")
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def kafka_admin(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


NewTopicFactory = Callable[..., Awaitable[str]]


@pytest_asyncio.fixture(loop_scope="session")
async def new_topic(kafka_admin: AIOKafkaAdminClient) -> AsyncIterator[NewTopicFactory]:
    """`await new_topic("orders", partitions=6)` -> a unique topic name that exists on the broker."""
    created: list[str] = []

    async def make(prefix: str = "test", partitions: int = 3) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:10]}"
        await kafka_admin.create_topics([NewTopic(name, partitions, 1)])
        created.append(name)
        return name

    yield make
    if created:
        await kafka_admin.delete_topics(created)
