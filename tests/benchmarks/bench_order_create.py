"""Order-create benchmark: POST /api/v1/order through the gateway vs a bare FastAPI + asyncpg insert.

Run with `deploy/local/bench.sh tests/benchmarks/bench_order_create.py [--rate R --seconds S]`
(it starts the test Kafka and PostgreSQL unless KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL are given).
Printed figures, nothing asserted. In one run:

1. the platform (`--services`, default gateway + enrichment, the create-order path) starts as
   processes on the bench database (`shared_testing.platform.running_platform`, roles from
   `shared_db.provision`), with the demo clients seeded; the gateway's per-client rate limit is
   switched off (RATE_LIMIT_PER_SECOND=0), or the benchmark would measure the limiter;
2. the bare baseline (`order_create_bare.py`) starts as a uvicorn process with its table in a
   scratch schema (`bench_support.scratch_schema`, dropped afterwards);
3. open-model load (`order_create_load.py`, one shared httpx.AsyncClient): the max sustainable rate
   of each endpoint (offered rate stepped up until achieved < 95 % of offered or p99 > 1 s, then
   refined), then create-order through the gateway at `--rate` (default: half the bare max) for
   `--seconds`. Both endpoints get the same request: the sandbox-sp credentials, a fresh
   x-trace-id and a unique create-order body (the README's example with its own quoteId and
   externalOrderId);
4. a table (max rates, ratio, p50/p95/p99 at the measured rate, machine and load) and the same as
   JSON in var/benchmarks/order-create-<UTC timestamp>.json.

The load driver shares the machine's cores with the servers, PostgreSQL and Kafka: its CPU share
and how late it started requests are in the report.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from bench_support import REPO_ROOT, machine_facts, required_env, scratch_schema, uptime_line
from order_create_bare import TABLE_DDL
from order_create_load import Step, find_max_rate, http_client, run_step

from shared_contracts.distributor import examples, paths
from shared_contracts.topics import DEFAULT_PARTITIONS, EVENT_TOPICS
from shared_db.provision import provision
from shared_messaging.topics import ensure_topics
from shared_testing.platform import _spawn, _stop, _wait_ready, free_port, running_platform

sys.path.insert(0, str(REPO_ROOT / "services" / "fulfillment" / "tests"))
from bench_fulfillment import run as run_command  # a script's helper, not a package

HERE = Path(__file__).resolve().parent
RATIO_TARGET = 0.40
P99_TARGET_MS = 50.0

# -- what runs ----------------------------------------------------------------------------------


async def seeded_credential(database_url: str, work: Path) -> dict[str, Any]:
    """`python -m gateway clients seed-demo` and the sandbox-sp client it wrote."""
    clients = work / "clients.json"
    await asyncio.to_thread(
        run_command,
        [sys.executable, "-m", "gateway", "clients", "seed-demo", "--out", str(clients)],
        {"DATABASE_URL": database_url},
    )
    credential: dict[str, Any] = next(c for c in json.loads(clients.read_text()) if c["name"] == "sandbox-sp")
    return credential


@asynccontextmanager
async def bare_endpoint(admin_url: str, work: Path, pool_size: int) -> AsyncIterator[tuple[str, int]]:
    """The bare app as a process, its table in a scratch schema; yields (URL, pid)."""
    async with scratch_schema(admin_url, pool_size=2) as scratch:
        async with scratch.pool.acquire() as conn:
            await conn.execute(TABLE_DDL)
        port = free_port()
        env = {
            **os.environ,
            "BARE_DATABASE_URL": admin_url,
            "BARE_SCHEMA": scratch.name,
            "BARE_POOL_SIZE": str(pool_size),
            "HTTP_PORT": str(port),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        }
        # `python -m order_create_bare`, started and stopped like the services.
        processes = await asyncio.to_thread(_spawn, ["order_create_bare"], {"order_create_bare": env}, work)
        process = processes["order_create_bare"]
        try:
            url = f"http://127.0.0.1:{port}"
            await _wait_ready(url, process, 30)
            yield url, process.pid
        finally:
            await asyncio.to_thread(_stop, processes)


def create_order_request(credential: dict[str, Any]) -> Any:
    """Request i: the README's create-order body made unique, sandbox-sp credentials, fresh x-trace-id."""
    tag = uuid.uuid4().hex[:8]
    template = copy.deepcopy(examples.CREATE_ORDER)

    def request(number: int) -> tuple[bytes, dict[str, str]]:
        body = template | {"quoteId": f"Q-{tag}-{number:07d}", "externalOrderId": f"PO-{tag}-{number:07d}"}
        headers = {
            "client_id": credential["client_id"],
            "client_secret": credential["client_secret"],
            "x-trace-id": uuid.uuid4().hex,
            "content-type": "application/json",
        }
        return json.dumps(body).encode(), headers

    return request


# -- run ----------------------------------------------------------------------------------------


async def run(args: argparse.Namespace) -> dict[str, Any]:
    bootstrap = required_env("KAFKA_BOOTSTRAP_SERVERS")
    admin_url = required_env("DATABASE_URL")
    started_at = datetime.now(UTC)
    report: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": await machine_facts(admin_url),
        "uptime_before": uptime_line(),
        "parameters": {key: value for key, value in vars(args).items() if key != "output_dir"},
        "results": {},
    }
    results = report["results"]
    work = Path(tempfile.mkdtemp(prefix="bench-order-create-"))
    print(f"platform ({', '.join(args.services)}) and bare endpoint starting; logs in {work}", flush=True)
    urls = await provision(admin_url)
    await ensure_topics(bootstrap, list(EVENT_TOPICS), DEFAULT_PARTITIONS)
    credential = await seeded_credential(urls["gateway"], work)
    request = create_order_request(credential)
    platform_env = {
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_SECOND": "0",
        "OTEL_TRACES_EXPORTER": args.traces,
        "ENABLED_UPSTREAMS": ",".join(s for s in args.services if s != "gateway"),
    }
    async with (
        running_platform(
            database_urls=urls,
            kafka_bootstrap=bootstrap,
            work_dir=work,
            services=args.services,
            extra_env=platform_env,
        ) as platform,
        bare_endpoint(admin_url, work, args.pool_size) as (bare_url, bare_pid),
        http_client(args.connections, timeout_s=10) as client,
    ):
        pids = {f"{name} process": p.pid for name, p in platform.processes.items()} | {
            "bare process": bare_pid
        }
        targets = {
            "bare": f"{bare_url}/orders",
            "create_order": f"{platform.urls['gateway']}{paths.CREATE_ORDER}",
        }
        # Warm-up (connections, caches, the gateway's client lookup), not measured.
        for url in targets.values():
            await run_step(client, url, request, args.warmup_rate, 2.0, cpu_pids=pids)
        search = {
            "factor": args.step_factor,
            "ceiling": args.ceiling,
            "refinements": args.refinements,
            "step_seconds": args.step_seconds,
            "pause_s": args.pause,
            "cpu_pids": pids,
        }
        maxima: dict[str, Step | None] = {}
        for name, start in (("bare", args.bare_start), ("create_order", args.create_start)):
            print(f"max sustainable rate, {name}:", flush=True)
            best, steps = await find_max_rate(
                client, targets[name], request, start_rate=start, label="", **search
            )
            maxima[name] = best
            results[f"max_rate_{name}"] = {
                "max_sustained_rate": round(best.offered_rate, 1) if best else None,
                "at_max": best.as_dict() if best else None,
                "steps": [step.as_dict() for step in steps],
            }
        bare_best, create_best = maxima["bare"], maxima["create_order"]
        if bare_best and create_best:
            results["ratio"] = round(create_best.offered_rate / bare_best.offered_rate, 3)
        if args.rate:
            rate, source = args.rate, "--rate"
        elif bare_best:
            rate, source = bare_best.offered_rate / 2, "half the bare max"
        else:
            rate, source = args.bare_start / 2, "half the bare start rate (no bare max)"
        await asyncio.sleep(args.pause * 2)
        print(f"create-order at {rate:.1f}/s for {args.seconds:g} s:", flush=True)
        measured = await run_step(
            client, targets["create_order"], request, rate, args.seconds, cpu_pids=pids, drain_s=10
        )
        print(measured.line(), flush=True)
        results["create_order_at_rate"] = measured.as_dict() | {"rate_source": source}
    report["uptime_after"] = uptime_line()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    path = args.output_dir / f"order-create-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    report["json_path"] = str(path)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return report


# -- report -------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "MISS")


def cpu_text(step: dict[str, Any] | None, *names: str) -> str:
    if not step:
        return "-"
    shares = step["cpu"]["cpu_percent_of_one_core"]
    parts = [f"{name} {shares[name]:.0f} %" for name in names if name in shares]
    text = ", ".join(parts) + f"; machine {step['cpu']['machine_busy_percent_of_all_cores']:.0f} % busy"
    if (stalled := step["cpu"].get("cpu_pressure_some_percent")) is not None:
        text += f", CPU pressure {stalled:.0f} %"  # time some runnable task waited for a CPU
    return text


def figures(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    bare, create = results["max_rate_bare"], results["max_rate_create_order"]
    measured = results["create_order_at_rate"]
    latency = measured["latency_from_intended_start"]
    ratio = results.get("ratio")

    def rate(value: float | None) -> str:
        return "not sustained at the start rate" if value is None else f"{value:,.0f} req/s"

    def ms(key: str) -> str:
        value = latency.get(key)
        return "> run" if value is None else f"{value:.1f} ms"

    p99 = latency.get("p99_ms")
    errors = sum(measured["errors"].values())
    return [
        ("max sustained rate, bare FastAPI + asyncpg insert", rate(bare["max_sustained_rate"]), "", ""),
        ("max sustained rate, POST /api/v1/order via gateway", rate(create["max_sustained_rate"]), "", ""),
        (
            "ratio create-order / bare",
            "-" if ratio is None else f"{100 * ratio:.0f} %",
            f">= {100 * RATIO_TARGET:.0f} %",
            verdict(None if ratio is None else ratio >= RATIO_TARGET),
        ),
        (
            f"create-order at {measured['offered_rate']:,.0f}/s ({measured['rate_source']})",
            f"achieved {measured['achieved_rate']:,.0f}/s, {measured['ok']:,}/{measured['scheduled']:,} ok"
            + (f", {errors} failed" if errors else ""),
            "",
            "",
        ),
        ("  p50 / p95 / p99", f"{ms('p50_ms')} / {ms('p95_ms')} / {ms('p99_ms')}", "", ""),
        (
            "  p99",
            ms("p99_ms"),
            f"<= {P99_TARGET_MS:.0f} ms",
            verdict(p99 is not None and p99 <= P99_TARGET_MS),
        ),
        ("  driver started late, p99", f"{measured['driver_late_p99_ms']:.1f} ms", "", ""),
        (
            "  CPU (% of one core)",
            cpu_text(
                measured,
                "benchmark process",
                "gateway process",
                "enrichment process",
                "postgres (all server processes)",
            ),
            "",
            "",
        ),
        (
            "CPU at bare max",
            cpu_text(bare["at_max"], "benchmark process", "bare process", "postgres (all server processes)"),
            "",
            "",
        ),
        (
            "CPU at create-order max",
            cpu_text(
                create["at_max"],
                "benchmark process",
                "gateway process",
                "enrichment process",
                "postgres (all server processes)",
            ),
            "",
            "",
        ),
    ]


def print_report(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print()
    print(f"Order-create benchmark, {report['started_at']}")
    print(
        f"machine: nproc {machine['nproc']} ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"PostgreSQL {machine['postgresql_version']} "
        f"(synchronous_commit={machine['postgresql_synchronous_commit']}), "
        f"Kafka {machine['kafka_version']}, Python {machine['python']}"
    )
    print(f"load before: {report['uptime_before']}")
    print(f"load after:  {report['uptime_after']}")
    print("parameters: " + ", ".join(f"{key}={value}" for key, value in report["parameters"].items()))
    rows = [("figure", "measured", "target", "result"), *figures(report["results"])]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    print()
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))
    print(
        "\nLatency runs from each request's intended start (open model). Sustained = achieved >= 95 % of"
        "\noffered and p99 <= 1 s. The driver, the servers, PostgreSQL and Kafka share the machine's cores;"
        "\nCPU pressure (Linux PSI 'some') near 100 % means other work competed for the cores: read the"
        "\nfigures with it. Targets are informational (a shared, noisy machine); nothing is asserted."
    )
    print(f"JSON: {report['json_path']}")


# -- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Create-order through the gateway vs a bare FastAPI + asyncpg insert (open model).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--rate", type=float, help="create-order rate to measure (default: half the bare max)"
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="how long create-order is measured at --rate"
    )
    search = parser.add_argument_group("max-rate search")
    search.add_argument("--bare-start", type=float, default=100.0, help="first offered rate, bare endpoint")
    search.add_argument("--create-start", type=float, default=25.0, help="first offered rate, create-order")
    search.add_argument("--step-factor", type=float, default=1.5, help="offered rate x this per step")
    search.add_argument("--refinements", type=int, default=2, help="bisection steps after the first failure")
    search.add_argument("--step-seconds", type=float, default=5.0, help="length of one step")
    search.add_argument("--pause", type=float, default=2.0, help="seconds between steps")
    search.add_argument("--ceiling", type=float, default=5_000.0, help="highest rate offered")
    search.add_argument(
        "--warmup-rate", type=float, default=20.0, help="2 s at this rate first, not measured"
    )
    parser.add_argument(
        "--services",
        type=lambda value: tuple(value.split(",")),
        default=("gateway", "enrichment"),
        help="platform services to start (comma-separated; the gateway and enrichment are the create path)",
    )
    parser.add_argument("--traces", default="file", help="OTEL_TRACES_EXPORTER of the services")
    parser.add_argument("--pool-size", type=int, default=10, help="bare endpoint's pool (services: 10)")
    parser.add_argument("--connections", type=int, default=512, help="the driver's HTTP connection limit")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(os.environ.get("PLATFORM_VAR", REPO_ROOT / "var")) / "benchmarks",
        help="where the JSON report goes",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        report = asyncio.run(run(args))
    except (
        OSError,
        asyncpg.PostgresError,
        RuntimeError,
        TimeoutError,
        subprocess.CalledProcessError,
    ) as error:
        print(f"benchmark failed: {error!r}", file=sys.stderr)
        return 1
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
