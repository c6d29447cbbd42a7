"""CPU instructions per request per process: the figure to judge a CPU change by on a shared host.

CPU time per request on this kind of machine moves by 10-20 % between identical runs (steal,
other tenants); the number of instructions a process executes for the same requests repeats
within a few per cent. For each scenario this starts nothing new: it uses the benchmark platform
(`benchmark_platform`, traces to a file as `make bench`), counts each involved process's
user-space instructions with `perf stat` while vegeta sends the requests at a fixed rate, and
subtracts the process's idle rate measured just before (Kafka polling, relays, sweepers).
The Kafka broker and the PostgreSQL server (every `postgres` process alive when counting starts:
the pools' connections) are counted beside the services, so the figures add up to the platform's.

    make bench-instructions BENCH_ARGS="--scenarios dates,availability --rate 100 --seconds 10"

Needs `perf` (Debian: linux-perf) and hardware counters; prints the figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from bench_platform import benchmark_platform
from bench_support import kafka_broker_pid, required_env
from journeys import STAGES, Distributor, run_journeys
from kafka_watch import Outcomes, wait_seen, watching
from load_tool import Attack, Target, attack
from oms_traffic import Oms
from process_usage import postgres_processes

IDLE_SECONDS = 5.0
EVENTS = ("instructions:u", "task-clock", "cycles:u", "cycles:k")


@dataclass(frozen=True)
class Counts:
    instructions: float = 0.0
    cpu_ms: float = 0.0
    user_cycles: float = 0.0
    kernel_cycles: float = 0.0

    def per(self, count: float) -> Counts:
        return Counts(*(value / count for value in astuple(self)))

    def minus(self, other: Counts) -> Counts:
        return Counts(*(mine - theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))

    def plus(self, other: Counts) -> Counts:
        return Counts(*(mine + theirs for mine, theirs in zip(astuple(self), astuple(other), strict=True)))

    @property
    def kernel_share(self) -> float:
        """Of the CPU cycles, the share spent in the kernel (system calls: network, disk)."""
        cycles = self.user_cycles + self.kernel_cycles
        return self.kernel_cycles / cycles if cycles > 0 else 0.0


def parse_perf_csv(text: str) -> Counts:
    """`perf stat -x,` output -> the counts (a counter perf could not read counts as 0)."""
    values: dict[str, float] = {}
    for line in text.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[0][:1].isdigit():
            values[fields[2]] = float(fields[0])
    return Counts(
        values.get("instructions:u", 0.0),
        values.get("task-clock", 0.0),
        values.get("cycles:u", 0.0),
        values.get("cycles:k", 0.0),
    )


def infrastructure_pids() -> dict[str, list[int]]:
    """The broker's process and the database server's processes, by name."""
    pids = {"postgres": [process.pid for process in postgres_processes()]}
    if (broker := kafka_broker_pid()) is not None:
        pids["kafka"] = [broker]
    return pids


@contextmanager
def counting(pids: Mapping[str, Sequence[int]], into: dict[str, Counts]) -> Any:
    """`perf stat` attached to each group of processes for the duration of the block (counts
    summed over the group); results into `into`."""
    work = Path(tempfile.mkdtemp(prefix="perf-"))
    running = {
        name: subprocess.Popen(
            [
                *("perf", "stat", "-x,", "-e", ",".join(EVENTS)),
                *("-p", ",".join(map(str, group)), "-o", str(work / name)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, group in pids.items()
    }
    started = time.monotonic()
    try:
        yield
    finally:
        into["_seconds"] = Counts(cpu_ms=(time.monotonic() - started) * 1000)
        for name, process in running.items():
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)
            into[name] = parse_perf_csv((work / name).read_text())
        shutil.rmtree(work, ignore_errors=True)


async def measure(
    name: str,
    pids: Mapping[str, Sequence[int]],
    targets: Sequence[Target],
    rate: float,
    after: Callable[[Attack], Awaitable[None]] | None = None,
) -> None:
    """`after`: the work the requests started that counts too (e.g. a saga), awaited before
    the counters stop."""
    idle: dict[str, Counts] = {}
    with counting(pids, idle):
        await asyncio.sleep(IDLE_SECONDS)
    busy: dict[str, Counts] = {}
    result: Attack
    with counting(pids, busy):
        result = await attack(name, targets, rate)
        if after is not None:
            await after(result)
    answered = len(result.ok_hits)
    latencies = sorted(hit.latency_s * 1000 for hit in result.ok_hits) or [0.0]
    p50, p99 = latencies[len(latencies) // 2], latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"{name} at {rate:g}/s: {answered}/{len(targets)} answered 2xx, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    if not answered:
        return
    scale = busy["_seconds"].cpu_ms / (idle["_seconds"].cpu_ms or 1.0)
    total = Counts()
    for process in pids:
        idle_share = Counts(*(value * scale for value in astuple(idle[process])))
        net = busy[process].minus(idle_share).per(answered)
        total = total.plus(net)
        idle_rate = idle[process].instructions / IDLE_SECONDS / 1e6
        print(f"   {process:12s} {_figures(net)}   (idle {idle_rate:5.1f} M instructions/s)", flush=True)
    print(f"   {'all':12s} {_figures(total)}")


def _figures(counts: Counts) -> str:
    return (
        f"{counts.instructions / 1e6:6.2f} M instructions/request   {counts.cpu_ms:5.2f} ms CPU/request"
        f"   {counts.kernel_share:4.0%} in the kernel"
    )


Scenario = Callable[[int], Sequence[Target]]


async def run(args: argparse.Namespace) -> None:
    if shutil.which("perf") is None:
        sys.exit("perf is not installed (Debian: apt-get install linux-perf)")
    admin_url, bootstrap = required_env("DATABASE_URL"), required_env("KAFKA_BOOTSTRAP_SERVERS")
    work = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
    print(f"platform starting; logs in {work}", flush=True)
    async with benchmark_platform(
        admin_url,
        bootstrap,
        work,
        traces=args.traces,
        db_statement_spans=args.db_statement_spans,
    ) as bench:
        distributor = Distributor(bench.url("gateway"), bench.credentials["sandbox-sp"], bench.bench_items)
        oms = Oms(bench.url("gateway"), bench.credentials["oms"])

        async def set_up(name: str, targets: Sequence[Target], rate: float, keep: bool) -> Attack:
            return await attack(f"{name} (set-up)", targets, rate, keep_bodies=keep)

        async with watching(bootstrap) as outcomes:
            _, _, ready = await run_journeys(
                set_up, distributor, outcomes, 40, 200, stages=("create order", "installation")
            )
            warm = [distributor.dates(ready[n % len(ready)]) for n in range(100)]
            await attack("warm-up", warm + [oms.availability(n) for n in range(40)], 50)
            scenarios: dict[str, tuple[tuple[str, ...], Scenario]] = {
                "dates": (
                    ("gateway", "appointment"),
                    lambda n: [distributor.dates(ready[i % len(ready)]) for i in range(n)],
                ),
                "availability": (("gateway", "inventory"), lambda n: [oms.availability(i) for i in range(n)]),
                "create": (
                    ("gateway", "enrichment", "appointment", "fulfillment"),
                    lambda n: [distributor.create(journey) for journey in distributor.journeys(n)],
                ),
            }
            count = round(args.rate * args.seconds)
            for name in args.scenarios:
                await asyncio.sleep(2)  # the set-up's or previous scenario's events settle
                if name == "submit":
                    await measure_submit(bench.pids, distributor, outcomes, set_up, count, args.rate)
                    continue
                processes, targets = scenarios[name]
                pids = {process: [bench.pids[process]] for process in processes}
                await measure(name, pids | infrastructure_pids(), targets(count), args.rate)


async def measure_submit(
    pids: Mapping[str, int],
    distributor: Distributor,
    outcomes: Outcomes,
    set_up: Callable[[str, Sequence[Target], float, bool], Awaitable[Attack]],
    count: int,
    rate: float,
) -> None:
    """Submit of booked journeys, counted until every order is CONFIRMED (the saga's work too)."""
    _, _, booked = await run_journeys(set_up, distributor, outcomes, 40, count, stages=STAGES[:-1])
    targets = [distributor.submit(journey) for journey in booked]
    journeys = {journey.trace_ids["submit"]: journey for journey in booked}

    async def confirmed(result: Attack) -> None:
        submitted = [journeys[trace_id].order_id for trace_id in result.by_trace_id() if trace_id in journeys]
        await wait_seen(outcomes.confirmed, submitted, 60)
        missing = sum(order_id not in outcomes.confirmed for order_id in submitted)
        print(f"   {len(submitted) - missing}/{len(submitted)} orders CONFIRMED")

    processes = ("gateway", "enrichment", "appointment", "inventory", "fulfillment")
    counted = {process: [pids[process]] for process in processes} | infrastructure_pids()
    await measure("submit -> CONFIRMED", counted, targets, rate, confirmed)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenarios",
        type=lambda text: text.split(","),
        default=["dates", "availability", "create"],
        help="comma-separated, of dates, availability, create, submit (a name may repeat)",
    )
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s, below saturation")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--traces", default="file", help="OTEL_TRACES_EXPORTER of the services")
    parser.add_argument(
        "--db-statement-spans",
        action="store_true",
        help="a span per SQL statement in the services (OTEL_TRACE_DB_STATEMENTS; default off, as deployed)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(run(parse_args()))
