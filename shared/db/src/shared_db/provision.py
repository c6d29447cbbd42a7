"""One login role and one schema per service, each role granted only its own schema.

Run with an admin URL (a role with CREATEROLE that owns the database):

    python -m shared_db.provision ADMIN_URL gateway enrichment ...   # prints nothing on success

Idempotent: re-running changes nothing. Passwords come from `service_password()` unless given.
"""

import asyncio
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

SERVICES = ("gateway", "enrichment", "appointment", "inventory", "fulfillment")


def service_password(service: str) -> str:
    """`<SERVICE>_DB_PASSWORD` from the environment, else a local-only default."""
    return os.environ.get(f"{service.upper()}_DB_PASSWORD", f"{service}-local")


def role_name(service: str, prefix: str = "") -> str:
    return f"{prefix}{service}"


def service_url(admin_url: str, role: str, password: str) -> str:
    """The admin URL with the service's credentials in place of the admin's."""
    parts = urlsplit(admin_url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}:{password}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def provision_service(conn: asyncpg.Connection, schema: str, role: str, password: str) -> None:
    """Create (or update) the role and its schema; the role owns only that schema."""
    database = await conn.fetchval("SELECT current_database()")
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    # Identifiers cannot be bind parameters; quote them through the server.
    q_role = await conn.fetchval("SELECT quote_ident($1)", role)
    q_schema = await conn.fetchval("SELECT quote_ident($1)", schema)
    q_db = await conn.fetchval("SELECT quote_ident($1)", database)
    q_password = await conn.fetchval("SELECT quote_literal($1)", password)
    if exists:
        await conn.execute(f"ALTER ROLE {q_role} LOGIN PASSWORD {q_password}")
    else:
        await conn.execute(
            f"CREATE ROLE {q_role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {q_password}"
        )
    await conn.execute(f"GRANT {q_role} TO CURRENT_USER")  # lets the admin create the schema for it
    await conn.execute(f"GRANT CONNECT ON DATABASE {q_db} TO {q_role}")
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {q_schema} AUTHORIZATION {q_role}")
    await conn.execute(f"REVOKE ALL ON SCHEMA {q_schema} FROM PUBLIC")
    await conn.execute(f"ALTER ROLE {q_role} IN DATABASE {q_db} SET search_path = {q_schema}")


async def provision(
    admin_url: str, services: tuple[str, ...] = SERVICES, *, prefix: str = ""
) -> dict[str, str]:
    """Provision every service; returns each service's own database URL."""
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        urls = {}
        for service in services:
            role = role_name(service, prefix)
            password = service_password(service)
            await provision_service(conn, schema=role, role=role, password=password)
            urls[service] = service_url(admin_url, role, password)
        return urls
    finally:
        await conn.close(timeout=5)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    services = tuple(argv[1:]) or SERVICES
    for service, url in asyncio.run(provision(argv[0], services)).items():
        print(f"{service} {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
