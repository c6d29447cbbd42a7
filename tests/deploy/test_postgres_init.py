"""deploy/compose/postgres-init.sh against a real PostgreSQL, followed by provisioning.

The postgres image runs init scripts as its superuser, through psql on the Unix socket, with
POSTGRES_USER and POSTGRES_DB set. This test does the same on the machine's cluster (the one
`make test` uses) in a throwaway database, then runs the compose `provision` job's code
(`shared_db.provision`) as the admin the script created, exactly in compose's order. It needs
root and a local cluster; elsewhere it is skipped (the script's syntax is checked in any case).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import asyncpg
import pytest

from shared_db.provision import provision

from .deployfiles import COMPOSE_DIR

INIT_SCRIPT = COMPOSE_DIR / "postgres-init.sh"
# Quotes, spaces and an @: values must reach SQL as literals, never as pasted text.
ADMIN_PASSWORD = "it's a p@ss"


@dataclass
class LocalCluster:
    port: int

    def superuser(
        self, *args: str, env: dict[str, str] | None = None, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a command as the `postgres` OS user, as the image's entrypoint does."""
        environment = {**os.environ, "PGPORT": str(self.port), **(env or {})}
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            env=environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def sql(self, statement: str) -> None:
        done = self.superuser("psql", "-v", "ON_ERROR_STOP=1", "-q", "-d", "postgres", "-c", statement)
        assert done.returncode == 0, done.stderr


@pytest.fixture
def local_cluster(pg_admin_url: str) -> LocalCluster:
    """The machine's online cluster, reachable as its superuser; skip when there is none."""
    if os.geteuid() != 0 or not all(shutil.which(tool) for tool in ("runuser", "psql", "pg_lsclusters")):
        pytest.skip("needs root, runuser, psql and a local PostgreSQL cluster")
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False)
    online = [line.split() for line in listing.stdout.splitlines() if " online " in f" {line} "]
    if not online:
        pytest.skip("no online local PostgreSQL cluster")
    return LocalCluster(port=int(online[0][2]))


@pytest.fixture
def scratch(local_cluster: LocalCluster) -> Iterator[tuple[str, str]]:
    """A throwaway database and admin role name; both are removed afterwards with every role
    provisioned under the admin's prefix."""
    suffix = uuid.uuid4().hex[:8]
    database, admin = f"compose_init_{suffix}", f"compose_admin_{suffix}"
    local_cluster.sql(f"CREATE DATABASE {database}")
    try:
        yield database, admin
    finally:
        local_cluster.sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        done = local_cluster.superuser(
            "psql",
            "-At",
            "-d",
            "postgres",
            "-c",
            f"SELECT rolname FROM pg_roles WHERE rolname LIKE '{admin}%'",
        )
        # Service roles first: the admin holds ADMIN OPTION on them.
        for role in sorted(done.stdout.split(), key=len, reverse=True):
            local_cluster.sql(f"DROP ROLE IF EXISTS {role}")


def run_init_script(cluster: LocalCluster, database: str, admin: str) -> subprocess.CompletedProcess[str]:
    # On stdin: the `postgres` user may not be able to read the checkout (`mktemp -d` is 0700).
    return cluster.superuser(
        "bash",
        "-s",
        stdin=INIT_SCRIPT.read_text(),
        env={
            "POSTGRES_USER": "postgres",
            "POSTGRES_DB": database,
            "PLATFORM_PG_ADMIN_USER": admin,
            "PLATFORM_PG_ADMIN_PASSWORD": ADMIN_PASSWORD,
        },
    )


async def test_init_script_prepares_the_database_for_provisioning(
    local_cluster: LocalCluster, scratch: tuple[str, str]
) -> None:
    database, admin = scratch
    first = run_init_script(local_cluster, database, admin)
    assert first.returncode == 0, first.stderr
    again = run_init_script(local_cluster, database, admin)  # a restarted init is harmless
    assert again.returncode == 0, again.stderr

    admin_url = (
        f"postgresql://{admin}:{quote(ADMIN_PASSWORD, safe='')}@127.0.0.1:{local_cluster.port}/{database}"
    )
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", database
        )
        public_acl = await conn.fetchval("SELECT datacl::text FROM pg_database WHERE datname = $1", database)
    finally:
        await conn.close()
    assert owner == admin
    assert "=c" not in (public_acl or ""), f"PUBLIC may still connect: {public_acl}"

    # What the compose `provision` job runs, as the admin the script made (roles prefixed here
    # so that they cannot collide with the test suite's own roles in the same cluster).
    urls = await provision(admin_url, ("gateway", "enrichment"), prefix=f"{admin}_")
    enrichment = await asyncpg.connect(urls["enrichment"], timeout=10)
    gateway = await asyncpg.connect(urls["gateway"], timeout=10)
    try:
        await enrichment.execute("CREATE TABLE orders (id int)")  # in its own schema
        await gateway.execute("CREATE TABLE clients (id int)")
        assert await gateway.fetchval("SELECT current_schema()") == f"{admin}_gateway"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.fetchval(f"SELECT count(*) FROM {admin}_enrichment.orders")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await gateway.execute("CREATE TABLE public.clients (id int)")
    finally:
        await gateway.close()
        await enrichment.close()
