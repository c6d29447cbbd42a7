"""`python -m gateway clients ...` against a database of its own (created and dropped here)."""

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from gateway.config import Settings
from gateway.entrypoints.cli import clients_main
from shared_db.provision import provision

DEMO_NAMES = ["sandbox-sp", "production-sp", "connector-sp-a", "connector-sp-b", "oms"]


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def _admin_execute(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="module")
def settings(pg_admin_url: str) -> Iterator[Settings]:
    database = f"gateway_cli_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_execute(pg_admin_url, f"CREATE DATABASE {database}"))
    try:
        urls = asyncio.run(provision(_with_database(pg_admin_url, database), ("gateway",)))
        yield Settings(database_url=urls["gateway"])
    finally:
        asyncio.run(_admin_execute(pg_admin_url, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = clients_main(list(argv), settings)
    return code, capsys.readouterr().out


def test_create_list_rotate_disable(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(
        settings, capsys, "create", "--name", "acme", "--sp", "sp-acme",
        "--environment", "sandbox", "--role", "distributor",
    )  # fmt: skip
    assert code == 0
    client_id = re.search(r"client_id:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    secret = re.search(r"client_secret:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    assert len(secret) >= 43

    code, out = run(settings, capsys, "list", "--json")
    [listed] = [row for row in json.loads(out) if row["client_id"] == client_id]
    assert listed["sp"] == "sp-acme"
    assert listed["roles"] == ["distributor"]
    assert secret not in out

    code, out = run(settings, capsys, "rotate", client_id, "--json")
    assert code == 0
    assert json.loads(out)["client_secret"] != secret

    assert run(settings, capsys, "disable", client_id)[0] == 0
    code, out = run(settings, capsys, "list", "--json")
    assert [row["disabled_at"] for row in json.loads(out) if row["client_id"] == client_id] != [None]


def test_refusals(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    create = ["create", "--name", "dup", "--environment", "production", "--role", "merchandising"]
    assert run(settings, capsys, *create)[0] == 0
    assert run(settings, capsys, *create)[0] == 1
    no_sp = ["create", "--name", "no-sp", "--environment", "sandbox", "--role", "distributor"]
    assert run(settings, capsys, *no_sp)[0] == 2
    assert run(settings, capsys, "rotate", "nobody")[0] == 1
    assert run(settings, capsys, "disable", "nobody")[0] == 1


def test_seed_demo_is_idempotent_and_repairs_what_no_longer_works(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "var" / "demo-clients.json"
    assert run(settings, capsys, "seed-demo", "--out", str(out_file))[0] == 0
    first = json.loads(out_file.read_text())
    assert [entry["name"] for entry in first] == DEMO_NAMES
    assert out_file.stat().st_mode & 0o777 == 0o600
    by_name = {entry["name"]: entry for entry in first}
    assert by_name["oms"]["roles"] == ["merchandising"]
    assert by_name["oms"]["sp"] is None
    assert by_name["sandbox-sp"]["environment"] == "sandbox"
    assert by_name["production-sp"]["environment"] == "production"
    assert by_name["connector-sp-a"]["sp"] != by_name["connector-sp-b"]["sp"]
    assert set(first[0]) == {"name", "client_id", "client_secret", "environment", "sp", "roles"}

    assert run(settings, capsys, "seed-demo", "--out", str(out_file))[0] == 0
    assert json.loads(out_file.read_text()) == first

    broken = [dict(entry) for entry in first]
    broken[0]["client_secret"] = "lost"
    out_file.write_text(json.dumps(broken))
    run(settings, capsys, "disable", by_name["oms"]["client_id"])
    assert run(settings, capsys, "seed-demo", "--out", str(out_file))[0] == 0
    repaired = {entry["name"]: entry for entry in json.loads(out_file.read_text())}
    assert repaired["sandbox-sp"]["client_secret"] not in ("lost", by_name["sandbox-sp"]["client_secret"])
    assert repaired["sandbox-sp"]["client_id"] == by_name["sandbox-sp"]["client_id"]
    assert repaired["oms"]["client_secret"] != by_name["oms"]["client_secret"]
    assert repaired["production-sp"] == by_name["production-sp"]
    _, out = run(settings, capsys, "list", "--json")
    assert all(row["disabled_at"] is None for row in json.loads(out) if row["name"] in DEMO_NAMES)
