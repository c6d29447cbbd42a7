"""`python -m gateway clients ...`: manage API clients (the database is `DATABASE_URL`, the gateway's own).

    clients create --name N [--sp SP] --environment sandbox|production --role distributor|merchandising
    clients list
    clients rotate CLIENT_ID
    clients disable CLIENT_ID
    clients seed-demo --out var/demo-clients.json

A secret is printed once, when it is issued (create, rotate); only its hash is stored. Every command
first applies the gateway's migrations, so it works before the service has ever started. Add
`--json` for machine-readable output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from gateway.adapters.client_repository import ClientNameTaken, ClientRepository
from gateway.config import Settings
from gateway.domain.clients import ENVIRONMENTS, ApiClient, Role
from gateway.edge import secret_hasher
from gateway.service_layer.client_admin import ClientAdmin, IssuedCredential
from gateway.service_layer.demo_clients import seed_demo_clients
from shared_db.migrations import upgrade
from shared_db.pool import create_pool

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gateway clients", description="Manage API clients.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a client; prints its secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--sp", default=None, help="Solution Provider id (required for distributor)")
    create.add_argument("--environment", required=True, choices=ENVIRONMENTS)
    create.add_argument("--role", required=True, action="append", choices=[role.value for role in Role])
    create.add_argument("--json", action="store_true")
    listing = commands.add_parser("list", help="list clients (never secrets)")
    listing.add_argument("--json", action="store_true")
    rotate = commands.add_parser("rotate", help="issue a new secret; the old one stops working")
    rotate.add_argument("client_id")
    rotate.add_argument("--json", action="store_true")
    disable = commands.add_parser("disable", help="refuse the client from now on")
    disable.add_argument("client_id")
    seed = commands.add_parser("seed-demo", help="create or repair the demo clients and write their secrets")
    seed.add_argument("--out", type=Path, required=True)
    return parser


def _summary(client: ApiClient) -> dict[str, Any]:
    return {
        "client_id": client.client_id,
        "name": client.name,
        "sp": client.sp_id,
        "environment": client.environment,
        "roles": sorted(role.value for role in client.roles),
        "created_at": client.created_at.isoformat(),
        "rotated_at": client.rotated_at.isoformat() if client.rotated_at else None,
        "disabled_at": client.disabled_at.isoformat() if client.disabled_at else None,
    }


def _print_issued(issued: IssuedCredential, as_json: bool) -> None:
    if as_json:
        print(json.dumps({**_summary(issued.client), "client_secret": issued.secret}))
        return
    print(f"client_id:     {issued.client.client_id}")
    print(f"client_secret: {issued.secret}")
    print("The secret is shown only now; store it safely.")


def _print_list(clients: Sequence[ApiClient], as_json: bool) -> None:
    rows = [_summary(client) for client in clients]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'client_id':32}  {'name':20}  {'sp':16}  {'environment':11}  {'roles':24}  status")
    for row in rows:
        status = f"disabled {row['disabled_at']}" if row["disabled_at"] else "active"
        print(
            f"{row['client_id']:32}  {row['name']:20}  {row['sp'] or '-':16}  {row['environment']:11}  "
            f"{','.join(row['roles']):24}  {status}"
        )


def _read_previous(path: Path) -> list[dict[str, Any]]:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [entry for entry in content if isinstance(entry, dict)] if isinstance(content, list) else []


def write_private_json(path: Path, content: Any) -> None:
    """Atomically, readable by the owner only (it holds secrets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(content, handle, indent=2)
            handle.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@asynccontextmanager
async def _admin(settings: Settings) -> AsyncIterator[ClientAdmin]:
    await upgrade(settings.database_url, "gateway", MIGRATIONS)
    pool = await create_pool(
        settings.database_url,
        "gateway",
        min_size=1,
        max_size=2,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
    try:
        yield ClientAdmin(ClientRepository(pool), secret_hasher(settings))
    finally:
        await pool.close()


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with _admin(settings) as admin:
        if args.command == "create":
            try:
                issued = await admin.create(
                    args.name,
                    sp_id=args.sp,
                    environment=args.environment,
                    roles=frozenset(Role(role) for role in args.role),
                )
            except ClientNameTaken:
                print(f"a client named {args.name!r} exists already", file=sys.stderr)
                return 1
            except ValueError as error:
                print(str(error), file=sys.stderr)
                return 2
            _print_issued(issued, args.json)
        elif args.command == "list":
            _print_list(await admin.list(), args.json)
        elif args.command == "rotate":
            rotated = await admin.rotate(args.client_id)
            if rotated is None:
                print(f"no client {args.client_id!r}", file=sys.stderr)
                return 1
            _print_issued(rotated, args.json)
        elif args.command == "disable":
            disabled = await admin.disable(args.client_id)
            if disabled is None:
                print(f"no client {args.client_id!r}", file=sys.stderr)
                return 1
            print(f"client {disabled.client_id} ({disabled.name}) is disabled")
        elif args.command == "seed-demo":
            entries = await seed_demo_clients(admin, _read_previous(args.out))
            write_private_json(args.out, entries)
            print(f"{len(entries)} demo clients written to {args.out}")
    return 0


def clients_main(argv: Sequence[str], settings: Settings | None = None) -> int:
    args = _parser().parse_args(list(argv))
    return asyncio.run(run(args, settings or Settings()))
