"""The benchmark report (`make bench`): the platform under fixed arrival rates next to raw baselines.

    deploy/local/bench.sh tests/benchmarks/bench_report.py [--seconds 10] [--quick] [--soak]

In one run, against the five services started as processes on the bench database and broker
(`bench_platform.benchmark_platform`, demo data, rate limit off) and the bare baselines
(`bare_app.py` as a process):

1. raw baselines at every offered rate used below: the bare FastAPI endpoint (GET /noop), bare
   FastAPI + one asyncpg INSERT, + the availability query, + one Kafka produce (acks=all) (HTTP,
   vegeta), and a bare asyncpg INSERT and a bare Kafka produce (aiokafka, acks=all) timed in this
   process (`open_model`);
2. distributor journeys through the gateway at each `--journey-rates` (create, installation,
   shipping, billing, get dates, book, submit; `journeys.py`) and end to end submit -> CONFIRMED
   as seen on Kafka;
3. OMS traffic at each `--oms-rates`: availability, backorder create and fulfillment-order create
   through the gateway, and fulfillment-order create as a Kafka command (to FulfillmentOrderCreated);
4. the issues' figures: create order vs the bare insert endpoint (max sustainable rates, p99 at
   half the create path's max and at half the bare rate), get dates at 200/s, availability at
   200/s vs the bare query (and their max rates), submit -> CONFIRMED at 20 journeys/s, the outbox
   relay's events/s and commit -> handler p99 at 500/s (`bench_messaging.py`, in its own scratch
   schema and topic).

HTTP load is vegeta (`load_tool.py`) at a constant rate, one target per request. Output: a table
on stdout, and docs/benchmarks/README.md (tables, machine, load average), latency.png (latency vs
offered load per operation) and results.json (`--output-dir`). With `--soak` (or BENCH_SOAK=1):
only steady journeys for `--soak-minutes` (10), reporting memory growth per process and p99 per
minute (soak.md, soak.png). Figures are printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from bare_app import TABLE_DDL
from bench_order_create import order_create_figures
from bench_platform import BareEndpoint, BenchPlatform, bare_endpoint, benchmark_platform
from bench_run import Run, find_max_rate
from bench_support import (
    REPO_ROOT,
    fresh_topic,
    kafka_broker_pid,
    machine_facts,
    required_env,
    scratch_schema,
)
from journeys import END_TO_END, Distributor, run_journeys
from kafka_watch import Outcomes, wait_seen, watching
from load_tool import VEGETA_VERSION, Target, vegeta_binary
from oms_traffic import AVAILABILITY, BACKORDER, FULFILLMENT_HTTP, FULFILLMENT_KAFKA, Oms
from open_model import observed, run_open_model
from process_usage import ProcessUsage
from report_output import write_report, write_soak_report
from soak import run_soak

from shared_contracts.distributor import examples

BARE_NOOP = "bare FastAPI endpoint (GET /noop)"
BARE_INSERT = "bare FastAPI + asyncpg insert"
BARE_QUERY = "bare FastAPI + availability query"
BARE_PRODUCE = "bare FastAPI + Kafka produce acks=all"
RAW_INSERT = "bare asyncpg insert (no HTTP)"
RAW_PRODUCE = "bare Kafka produce acks=all (no HTTP)"
PARTS = ("baselines", "journeys", "oms", "issues")
BASELINE_OF = {
    "create order": BARE_INSERT,
    "installation": BARE_INSERT,
    "shipping": BARE_INSERT,
    "billing": BARE_INSERT,
    "get dates": BARE_NOOP,
    "book": BARE_INSERT,
    "submit": BARE_INSERT,
    END_TO_END: RAW_PRODUCE,
    AVAILABILITY: BARE_QUERY,
    BACKORDER: BARE_INSERT,
    FULFILLMENT_HTTP: BARE_INSERT,
    FULFILLMENT_KAFKA: RAW_PRODUCE,
}


async def run_baselines(
    run: Run,
    bare: BareEndpoint,
    oms: Oms,
    admin_url: str,
    bootstrap: str,
    rates: Sequence[float],
    seconds: float,
) -> None:
    print("\n== raw baselines", flush=True)
    order = json.dumps(examples.CREATE_ORDER)
    async with (
        scratch_schema(admin_url, pool_size=10) as scratch,
        fresh_topic(bootstrap, 6) as topic,
    ):
        async with scratch.pool.acquire() as conn:
            await conn.execute(TABLE_DDL)
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=0
        )
        await asyncio.wait_for(producer.start(), 30)
        try:

            async def insert(_: int) -> None:
                await scratch.pool.execute(
                    "INSERT INTO bare_orders (id, body) VALUES ($1, $2::text::jsonb)", uuid.uuid4(), order
                )

            async def produce(number: int) -> None:
                await producer.send_and_wait(topic, order.encode(), key=str(number).encode())

            for rate in rates:
                count = max(1, round(rate * seconds))
                await run.http("baseline", BARE_NOOP, bare.noop(count), rate)
                await run.http("baseline", BARE_INSERT, bare.insert(count), rate)
                await run.http("baseline", BARE_QUERY, bare.query(oms.availability_bodies(count)), rate)
                await run.http("baseline", BARE_PRODUCE, bare.produce(count), rate)
                await run.in_process("baseline", RAW_INSERT, rate, count, insert)
                await run.in_process("baseline", RAW_PRODUCE, rate, count, produce)
        finally:
            await asyncio.wait_for(producer.stop(), 30)


async def run_distributor(
    run: Run,
    distributor: Distributor,
    outcomes: Outcomes,
    rates: Sequence[float],
    seconds: float,
    group: str = "distributor journeys",
) -> None:
    print(f"\n== {group}", flush=True)

    async def attacker(name: str, targets: Sequence[Target], rate: float, keep: bool) -> Any:
        return await run.http(group, name, targets, rate, keep_bodies=keep, baseline=BASELINE_OF.get(name))

    for rate in rates:
        _, submitted, _ = await run_journeys(
            attacker, distributor, outcomes, rate, max(1, round(rate * seconds))
        )
        if submitted:
            end_to_end = observed(
                END_TO_END, rate, submitted, outcomes.confirmed, error="not CONFIRMED within 30 s"
            )
            run.add(group, end_to_end, BASELINE_OF[END_TO_END])


async def run_oms(
    run: Run, oms: Oms, outcomes: Outcomes, bootstrap: str, rates: Sequence[float], seconds: float
) -> None:
    print("\n== OMS traffic", flush=True)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=0)
    await asyncio.wait_for(producer.start(), 30)
    number = 0
    try:
        for rate in rates:
            count = max(1, round(rate * seconds))
            numbers = range(number, number + count)
            number += count
            for name, build in (
                (AVAILABILITY, oms.availability),
                (BACKORDER, oms.backorder),
                (FULFILLMENT_HTTP, oms.fulfillment_http),
            ):
                await run.http("OMS", name, [build(n) for n in numbers], rate, baseline=BASELINE_OF[name])
            sent = await send_commands(oms, producer, rate, numbers)
            await wait_seen(outcomes.fulfillment_created, sent, 30)
            run.add(
                "OMS",
                observed(
                    FULFILLMENT_KAFKA, rate, sent, outcomes.fulfillment_created, error="not created in 30 s"
                ),
                BASELINE_OF[FULFILLMENT_KAFKA],
            )
    finally:
        await asyncio.wait_for(producer.stop(), 30)


async def send_commands(
    oms: Oms, producer: AIOKafkaProducer, rate: float, numbers: range
) -> dict[str, float]:
    """FulfillmentOrderCreateRequested commands at `rate`; when each was sent, by x-transaction-id.
    The sends are set-up, not a figure: the figure is send -> FulfillmentOrderCreated."""
    sent: dict[str, float] = {}

    async def command(index: int) -> None:
        sent[oms.transaction_id(numbers[index])] = time.time()
        await oms.send_fulfillment_command(producer, numbers[index])

    await run_open_model(f"{FULFILLMENT_KAFKA} send", rate, len(numbers), command)
    return sent


async def issue_figures(
    run: Run,
    args: argparse.Namespace,
    bare: BareEndpoint,
    distributor: Distributor,
    oms: Oms,
    outcomes: Outcomes,
    admin_url: str,
    bootstrap: str,
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    print("\n== issue figures", flush=True)
    if args.max_rate_search:
        figures["issue 3"] = await order_create_figures(
            run, bare, distributor, args.seconds, args.search_seconds, args.refinements
        )
        query, _ = await find_max_rate(
            run,
            BARE_QUERY,
            lambda n: bare.query(oms.availability_bodies(n)),
            start_rate=100,
            seconds=args.search_seconds,
            refinements=args.refinements,
        )
        availability, _ = await find_max_rate(
            run,
            AVAILABILITY,
            lambda n: [oms.availability(i) for i in range(n)],
            start_rate=100,
            seconds=args.search_seconds,
            refinements=args.refinements,
        )
        figures["issue 5"] = {
            "bare_query_max_rate": query.offered_rate if query else None,
            "availability_max_rate": availability.offered_rate if availability else None,
        }
    # get dates at 200/s: sub-orders with an installation first (set-up), then their dates again and again.
    setup_rate = min(50.0, args.dates_rate / 4)

    async def setup_attacker(name: str, targets: Sequence[Target], rate: float, keep: bool) -> Any:
        return await run.http(None, f"{name} (set-up)", targets, rate, keep_bodies=keep)

    _, _, ready = await run_journeys(
        setup_attacker,
        distributor,
        outcomes,
        setup_rate,
        args.dates_sub_orders,
        stages=("create order", "installation"),
    )
    if ready:
        count = round(args.dates_rate * args.seconds)
        targets = [distributor.dates(ready[n % len(ready)]) for n in range(count)]
        await run.http("issue figures", "get dates", targets, args.dates_rate, baseline=BARE_NOOP)
    if args.messaging:
        figures["issue 2"] = await messaging_figures(args, admin_url, bootstrap)
    return figures


async def messaging_figures(args: argparse.Namespace, admin_url: str, bootstrap: str) -> dict[str, Any]:
    import bench_latency
    import bench_messaging
    import bench_relay

    options = bench_messaging.parse_args(
        ["--events", str(args.messaging_events), "--rate", "500", "--duration", str(args.messaging_seconds)]
    )
    print("\n== outbox relay and commit -> handler (bench_messaging)", flush=True)
    relay = await bench_relay.bench_relay_prefilled(options, bootstrap, admin_url)
    latency = await bench_latency.bench_latency(options, bootstrap, admin_url)
    return {
        "relay_events_per_s": relay["events_per_s"],
        "relay_events": relay["events"],
        "commit_to_handler_at_500": latency["commit_to_handler"],
        "achieved_handler_rate_per_s": latency["achieved_handler_rate_per_s"],
    }


def union(*rate_lists: Sequence[float]) -> list[float]:
    return sorted({rate for rates in rate_lists for rate in rates})


async def run_report(args: argparse.Namespace) -> dict[str, Any]:
    bootstrap = required_env("KAFKA_BOOTSTRAP_SERVERS")
    admin_url = required_env("DATABASE_URL")
    vegeta_binary()  # installed before anything starts
    started_at = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    report: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": await machine_facts(admin_url),
        "load_before": list(os.getloadavg()),
        "vegeta": VEGETA_VERSION,
        "parameters": {k: v for k, v in vars(args).items() if k != "output_dir"}
        | {"output_dir": str(args.output_dir)},
        "work_dir": str(work),
    }
    print(f"platform and bare baselines starting; logs in {work}", flush=True)
    async with (
        benchmark_platform(
            admin_url,
            bootstrap,
            work,
            traces=args.traces,
            db_statement_spans=args.db_statement_spans,
        ) as bench,
        bare_endpoint(
            admin_url, work, bootstrap=bootstrap, inventory_url=bench.database_urls["inventory"]
        ) as bare,
    ):
        usage = ProcessUsage(lambda: process_pids(bench, bare))
        report["memory_at_start"] = ProcessUsage.between(usage.snapshot(), usage.snapshot())
        run = Run(usage)
        await run.calibrate()
        distributor = Distributor(bench.url("gateway"), bench.credentials["sandbox-sp"], bench.bench_items)
        oms = Oms(bench.url("gateway"), bench.credentials["oms"])
        async with watching(bootstrap) as outcomes:
            if args.soak:
                report["soak"] = await run_soak(run, distributor, outcomes, args.soak_rate, args.soak_minutes)
            else:
                await warm_up(run, bare, distributor, oms)
                parts = args.only
                if "baselines" in parts:
                    rates = union(
                        args.journey_rates if "journeys" in parts else [],
                        args.oms_rates if "oms" in parts else [],
                        [args.dates_rate] if "issues" in parts else [],
                    )
                    await run_baselines(run, bare, oms, admin_url, bootstrap, rates, args.seconds)
                if "journeys" in parts:
                    await run_distributor(run, distributor, outcomes, args.journey_rates, args.seconds)
                if "oms" in parts:
                    await run_oms(run, oms, outcomes, bootstrap, args.oms_rates, args.seconds)
                if "issues" in parts:
                    report["issues"] = await issue_figures(
                        run, args, bare, distributor, oms, outcomes, admin_url, bootstrap
                    )
        report["memory_at_end"] = ProcessUsage.between(usage.snapshot(), usage.snapshot())
    report["rows"] = [row.as_dict() for row in run.rows]
    report["load_during"] = run.load_samples
    report["settle_waits_s"] = run.settle_waits
    report["load_after"] = list(os.getloadavg())
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


async def warm_up(run: Run, bare: BareEndpoint, distributor: Distributor, oms: Oms) -> None:
    """Connections, caches and the gateway's client lookup, not measured."""
    print("== warm-up (not reported)", flush=True)
    await run.http(None, "warm-up bare", bare.insert(40), 20)
    await run.http(None, "warm-up create", [distributor.create(j) for j in distributor.journeys(40)], 20)
    await run.http(None, "warm-up availability", [oms.availability(n) for n in range(40)], 20)


def process_pids(bench: BenchPlatform, bare: BareEndpoint) -> dict[str, int | None]:
    return {**bench.pids, "bare_app": bare.pid, "kafka": kafka_broker_pid(), "bench driver": os.getpid()}


def rates(value: str) -> list[float]:
    return [float(part) for part in value.split(",") if part]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="The benchmark report: journeys and OMS traffic at fixed rates next to raw baselines.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--only",
        type=lambda value: value.split(","),
        default=list(PARTS),
        help=f"comma-separated parts to run, of {','.join(PARTS)}",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each fixed-rate step")
    parser.add_argument("--journey-rates", type=rates, default=[10.0, 20.0, 40.0], help="journeys/s")
    parser.add_argument("--oms-rates", type=rates, default=[50.0, 100.0, 200.0], help="OMS requests/s")
    parser.add_argument("--dates-rate", type=float, default=200.0, help="issue 4's get-dates rate")
    parser.add_argument("--dates-sub-orders", type=int, default=200, help="sub-orders asked for dates")
    parser.add_argument(
        "--no-max-rate-search", dest="max_rate_search", action="store_false", help="skip issues 3/5 searches"
    )
    parser.add_argument("--search-seconds", type=float, default=5.0, help="length of a max-rate step")
    parser.add_argument("--refinements", type=int, default=2, help="bisection steps of a max-rate search")
    parser.add_argument(
        "--no-messaging", dest="messaging", action="store_false", help="skip issue 2's figures"
    )
    parser.add_argument("--messaging-events", type=int, default=20_000, help="relay throughput events")
    parser.add_argument("--messaging-seconds", type=float, default=20.0, help="commit -> handler run length")
    parser.add_argument("--traces", default="file", help="OTEL_TRACES_EXPORTER of the services")
    parser.add_argument(
        "--db-statement-spans",
        action="store_true",
        help="a span per SQL statement in the services (OTEL_TRACE_DB_STATEMENTS; default off, as deployed)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="development: 3 s steps at low rates, no max-rate search, no messaging",
    )
    parser.add_argument("--soak", action="store_true", default=os.environ.get("BENCH_SOAK") == "1")
    parser.add_argument("--soak-minutes", type=float, default=10.0)
    parser.add_argument("--soak-rate", type=float, default=10.0, help="journeys/s during the soak")
    parser.add_argument(
        "--output-dir", type=Path, default=REPO_ROOT / "docs" / "benchmarks", help="report files go here"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.journey_rates, args.oms_rates = 3.0, [5.0, 10.0], [20.0, 50.0]
        args.max_rate_search, args.messaging, args.dates_rate, args.dates_sub_orders = False, False, 40.0, 30
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        report = asyncio.run(run_report(args))
    except (OSError, asyncpg.PostgresError, RuntimeError, TimeoutError) as error:
        print(f"benchmark failed: {error!r}", file=sys.stderr)
        return 1
    if args.soak:
        write_soak_report(report, args.output_dir)
    else:
        write_report(report, args.output_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
