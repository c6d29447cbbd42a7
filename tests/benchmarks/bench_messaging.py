"""Messaging benchmark: outbox relay throughput and commit-to-handler latency (figures, no asserts).

Run with `make bench-messaging` (deploy/local/bench.sh starts the test Kafka and PostgreSQL unless
KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL are given) or, with both set,
`.venv/bin/python tests/benchmarks/bench_messaging.py --help`.

This module is the command line: it runs the parts asked for (`--only`), each in a scratch schema
(outbox + inbox from `install_messaging_tables`, dropped afterwards) and a fresh topic (default 6
partitions, deleted afterwards):

1. relay, pre-filled outbox, and 2. relay, concurrent writers: `bench_relay.py`;
3. latency, commit -> handler at a fixed rate: `bench_latency.py`.

Output: a table on stdout (`bench_messaging_report.py`) and the same as JSON in
var/benchmarks/messaging-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from bench_latency import bench_latency
from bench_messaging_report import print_report
from bench_relay import bench_relay_continuous, bench_relay_prefilled, relay_settings
from bench_support import REPO_ROOT, machine_facts, required_env, uptime_line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Outbox relay throughput and commit-to-handler latency (real Kafka and PostgreSQL).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=["relay", "writers", "latency"],
        help="run only these parts (repeatable; default: all three)",
    )
    parser.add_argument("--partitions", type=int, default=6, help="partitions of each fresh topic")
    parser.add_argument("--keys", type=int, default=1_000, help="distinct aggregate keys (orderId)")
    relay = parser.add_argument_group("relay throughput")
    relay.add_argument("--events", "-n", type=int, default=50_000, help="events in the pre-filled outbox")
    relay.add_argument(
        "--prefill-batch", type=int, default=500, help="add_event calls per pre-fill transaction"
    )
    relay.add_argument("--backlog", type=int, default=20_000, help="outbox backlog of the second run")
    relay.add_argument("--writers", type=int, default=8, help="concurrent writers of the second run")
    relay.add_argument("--writers-seconds", type=float, default=15.0, help="how long the writers write")
    relay.add_argument("--batch-size", type=int, help="relay batch (default: OUTBOX_BATCH_SIZE or 500)")
    relay.add_argument("--linger-ms", type=int, help="producer linger (default: KAFKA_LINGER_MS or 5)")
    relay.add_argument(
        "--max-batch-bytes",
        type=int,
        help="experiment: the relay's producer with this aiokafka max_batch_size (default: the library's)",
    )
    parser.add_argument(
        "--notify-trigger",
        action="store_true",
        help="experiment: the outbox NOTIFY trigger of before ADR 0004's revision (commits serialize)",
    )
    latency = parser.add_argument_group("latency")
    latency.add_argument("--rate", "-r", type=float, default=500.0, help="scheduled writes per second")
    latency.add_argument("--duration", "-d", type=float, default=30.0, help="measured seconds")
    latency.add_argument("--warmup", type=float, default=3.0, help="seconds written first and not measured")
    latency.add_argument(
        "--no-consumer-access-log",
        dest="consumer_access_log",
        action="store_false",
        help="no FastStream access log in the consumer (the services log it at DEBUG only)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(os.environ.get("PLATFORM_VAR", REPO_ROOT / "var")) / "benchmarks",
        help="where the JSON report goes",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    bootstrap = required_env("KAFKA_BOOTSTRAP_SERVERS")
    admin_url = required_env("DATABASE_URL")
    parts = args.only or ["relay", "writers", "latency"]
    started_at = datetime.now(UTC)
    report: dict[str, Any] = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": await machine_facts(admin_url),
        "uptime_before": uptime_line(),
        "parameters": {
            "parts": parts,
            "events": args.events,
            "keys": args.keys,
            "partitions": args.partitions,
            "prefill_batch": args.prefill_batch,
            "backlog": args.backlog,
            "writers": args.writers,
            "writers_seconds": args.writers_seconds,
            "rate": args.rate,
            "duration": args.duration,
            "warmup": args.warmup,
            "relay_batch_size": relay_settings(args, bootstrap).outbox_batch_size,
            "linger_ms": relay_settings(args, bootstrap).kafka_linger_ms,
            "producer_max_batch_bytes": args.max_batch_bytes or "library default (aiokafka 16384)",
            "consumer_access_log": args.consumer_access_log,
            "notify_trigger": args.notify_trigger,
            "kafka": bootstrap,
        },
        "results": {},
    }
    if "relay" in parts:
        report["results"]["relay_prefilled"] = await bench_relay_prefilled(args, bootstrap, admin_url)
    if "writers" in parts:
        report["results"]["relay_continuous"] = await bench_relay_continuous(args, bootstrap, admin_url)
    if "latency" in parts:
        report["results"]["latency"] = await bench_latency(args, bootstrap, admin_url)
    report["uptime_after"] = uptime_line()
    args.output_dir.mkdir(parents=True, exist_ok=True)
    path = args.output_dir / f"messaging-{started_at.strftime('%Y%m%dT%H%M%SZ')}.json"
    report["json_path"] = str(path)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        report = asyncio.run(run(args))
    except (OSError, asyncpg.PostgresError, RuntimeError, TimeoutError) as error:
        print(f"benchmark failed: {error!r}", file=sys.stderr)
        return 1
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
