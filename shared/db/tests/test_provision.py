"""Per-service roles: each reaches its own schema and nothing else."""

import asyncpg
import pytest

from shared_db.pool import create_pool


async def test_each_service_role_owns_its_schema(service_db_urls: dict[str, str]) -> None:
    pool = await create_pool(service_db_urls["gateway"], "gateway", min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute("CREATE TABLE IF NOT EXISTS probe_owned (id int)")
            await conn.execute("INSERT INTO probe_owned VALUES (1)")
            assert await conn.fetchval("SELECT current_schema()") == "gateway"
            await conn.execute("DROP TABLE probe_owned")
    finally:
        await pool.close()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE enrichment.intruder (id int)",
        "SELECT count(*) FROM enrichment.alembic_version",
        "CREATE TABLE public.intruder (id int)",
    ],
)
async def test_a_service_role_cannot_touch_another_schema(
    service_db_urls: dict[str, str], pg_admin_url: str, statement: str
) -> None:
    admin = await asyncpg.connect(pg_admin_url)
    try:  # give enrichment's schema a table, as its migrations would
        await admin.execute("SET ROLE enrichment")
        await admin.execute("CREATE TABLE IF NOT EXISTS enrichment.alembic_version (version_num text)")
    finally:
        await admin.close()
    conn = await asyncpg.connect(service_db_urls["gateway"])
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_provisioning_twice_changes_nothing(pg_admin_url: str, service_db_urls: dict[str, str]) -> None:
    from shared_db.provision import provision

    assert await provision(pg_admin_url) == service_db_urls
