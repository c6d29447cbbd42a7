"""Shared pieces of the benchmarks: events, scratch schemas, topics, statistics, CPU accounting,
machine facts, and the helper processes' JSON-line protocol.

Imported by the messaging benchmark (`bench_messaging.py`, `bench_relay.py`, `bench_latency.py`),
by the helper processes it starts (`bench_writers.py`, `bench_consumer.py`) and by the other
benchmarks; the directory of the script is on `sys.path`, so plain imports work.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import platform
import random
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared_contracts.events import OrderEnriched, SiteAddress
from shared_contracts.topics import dlq
from shared_db.pool import create_pool
from shared_messaging.schema import OUTBOX_NOTIFY_TRIGGER_SQL, install_messaging_tables
from shared_messaging.topics import ensure_topics

HERE = Path(__file__).resolve().parent
REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_SERVICE = "bench"
EVENT_TYPE = OrderEnriched.event_type

# -- events -------------------------------------------------------------------------------------


def order_key(index: int) -> str:
    return f"ORD-{index:06d}"


def make_event(key_index: int, seq: int) -> OrderEnriched:
    """A small, realistic OrderEnriched (an INSTALLATION step of one sub-order), about 0.7 kB."""
    order_id = order_key(key_index)
    return OrderEnriched(
        order_id=order_id,
        sub_order_id=f"{order_id}-S{seq % 3 + 1}",
        step="INSTALLATION",
        data={
            "installationType": "STANDARD",
            "siteContact": {"firstName": "Alex", "lastName": "Martin", "phone": "+1-555-0100"},
            "accessNotes": "Gate code 4521, ring at the back door; dog on site.",
            "preferredWindow": {"from": "08:00", "to": "12:00"},
            "items": [{"orderItemId": f"{order_id}-I{n}", "quantity": n + 1} for n in range(2)],
            "revision": seq,
        },
        site_address=SiteAddress(
            street=f"{100 + key_index % 900} Market Street",
            city="Springfield",
            state="IL",
            postal_code="62701",
        ),
        customer_requested_start_date=date(2025, 7, 1),
        customer_requested_due_date=date(2025, 7, 15),
    )


def key_picker(keys: int, seed: int) -> random.Random:
    """Deterministic key choice: `rng.randrange(keys)` spreads events over `keys` aggregates."""
    return random.Random(seed)


# -- infrastructure -----------------------------------------------------------------------------


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        sys.exit(f"{name} is not set; run through deploy/local/bench.sh (make bench-messaging)")
    return value


@dataclass
class Scratch:
    """A throwaway schema with the outbox and inbox tables, and a pool whose search_path is it."""

    name: str
    pool: asyncpg.Pool
    admin_url: str


@contextlib.asynccontextmanager
async def scratch_schema(
    admin_url: str, *, pool_size: int = 10, notify_trigger: bool = False
) -> AsyncIterator[Scratch]:
    """`notify_trigger`: also the outbox NOTIFY trigger the services had before ADR 0004's
    revision (to compare)."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(admin_url, timeout=10)
    try:
        await admin.execute(f"CREATE SCHEMA {name}")
        pool = await create_pool(admin_url, name, min_size=2, max_size=pool_size)
        try:
            async with pool.acquire() as conn:
                await install_messaging_tables(conn)
                if notify_trigger:
                    await conn.execute(OUTBOX_NOTIFY_TRIGGER_SQL)
            yield Scratch(name=name, pool=pool, admin_url=admin_url)
        finally:
            await asyncio.wait_for(pool.close(), 30)
    finally:
        await admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE", timeout=60)
        await admin.close()


@contextlib.asynccontextmanager
async def fresh_topic(bootstrap: str, partitions: int) -> AsyncIterator[str]:
    """A new topic (and its `.dlq`, which consumers need), deleted afterwards."""
    name = f"bench.{uuid.uuid4().hex[:10]}"
    await ensure_topics(bootstrap, [name], partitions)
    try:
        yield name
    finally:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
        try:
            await asyncio.wait_for(admin.start(), 15)
            await asyncio.wait_for(admin.delete_topics([name, dlq(name)]), 15)
        except Exception as error:
            print(f"warning: could not delete topic {name}: {error!r}", file=sys.stderr)
        finally:
            await asyncio.wait_for(admin.close(), 10)


async def topic_end_offsets(bootstrap: str, topic: str) -> int:
    """The sum of the end offsets of `topic` (= records ever written to a fresh topic)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await asyncio.wait_for(consumer.start(), 15)
    try:
        partitions: set[int] | None = None
        for _ in range(100):
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.05)
        if not partitions:
            raise RuntimeError(f"topic {topic} has no partitions in the metadata")
        ends = await asyncio.wait_for(
            consumer.end_offsets([TopicPartition(topic, p) for p in sorted(partitions)]), 15
        )
        return sum(ends.values())
    finally:
        await asyncio.wait_for(consumer.stop(), 10)


async def outbox_pending(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


# -- statistics ---------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (`fraction` in [0, 1])."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize_ms(seconds: Sequence[float], *, missing: int = 0) -> dict[str, Any]:
    """count, mean, min, p50/p95/p99/p99.9 and max of durations in seconds, reported in ms.

    `missing` counts samples that never completed (a write that failed, an event never handled):
    they rank above every measured value, so a percentile that falls among them is None
    ("longer than the run"), never a flattering number; the mean is over the completed ones.
    """
    values = sorted(seconds)
    ranked = values + [math.inf] * missing

    def ms(value: float) -> float | None:
        return None if math.isinf(value) else round(1000 * value, 3)

    if not ranked:
        return {"count": 0, "missing": 0}
    return {
        "count": len(values),
        "missing": missing,
        "mean_ms": round(1000 * sum(values) / len(values), 3) if values else None,
        "min_ms": ms(ranked[0]),
        "p50_ms": ms(percentile(ranked, 0.50)),
        "p95_ms": ms(percentile(ranked, 0.95)),
        "p99_ms": ms(percentile(ranked, 0.99)),
        "p999_ms": ms(percentile(ranked, 0.999)),
        "max_ms": ms(ranked[-1]),
    }


# -- CPU accounting -----------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float | None:
    """user + system CPU seconds of `pid` (None when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def kafka_broker_pid() -> int | None:
    pid_file = os.environ.get("BENCH_KAFKA_PID_FILE")
    if not pid_file:
        return None
    try:
        return int(Path(pid_file).read_text().strip())
    except (OSError, ValueError):
        return None


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_pressure_us() -> int | None:
    """Total microseconds some runnable task waited for a CPU (Linux PSI), None where unsupported."""
    try:
        first = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return int(first.rsplit("total=", 1)[1])


def _system_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # without guest time, which is counted in user already
    return total - idle, total


@dataclass
class CpuMeter:
    """CPU used between `start()` and `stop()`: this process, the Kafka broker, PostgreSQL, the machine.

    Shares are in percent of ONE core (200 % = both cores of a 2-core machine busy); the machine's
    busy share counts every process, the other engineers' included. `cpu_pressure_some_percent`
    (Linux PSI) is the share of the time at least one runnable task was waiting for a CPU.
    """

    extra_pids: dict[str, int] = field(default_factory=dict)
    _t0: float = 0.0
    _self0: float = 0.0
    _sys0: tuple[int, int] = (0, 0)
    _procs0: dict[str, dict[int, float]] = field(default_factory=dict)
    _load0: tuple[float, float, float] = (0.0, 0.0, 0.0)
    _pressure0: int | None = None

    def _groups(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {"postgres (all server processes)": postgres_pids()}
        if (pid := kafka_broker_pid()) is not None:
            groups["kafka broker"] = [pid]
        for name, pid in self.extra_pids.items():
            groups[name] = [pid]
        return groups

    def _sample(self) -> dict[str, dict[int, float]]:
        sample: dict[str, dict[int, float]] = {}
        for name, pids in self._groups().items():
            sample[name] = {}
            for pid in pids:
                if (seconds := process_cpu_seconds(pid)) is not None:
                    sample[name][pid] = seconds
        return sample

    def start(self) -> None:
        self._t0 = time.perf_counter()
        self._self0 = self_cpu_seconds()
        self._sys0 = _system_ticks()
        self._procs0 = self._sample()
        self._load0 = os.getloadavg()
        self._pressure0 = _cpu_pressure_us()

    def stop(self) -> dict[str, Any]:
        elapsed = time.perf_counter() - self._t0
        busy, total = _system_ticks()
        cores = os.cpu_count() or 1
        shares: dict[str, float] = {
            "benchmark process": 100 * (self_cpu_seconds() - self._self0) / elapsed,
        }
        for name, now in self._sample().items():
            before = self._procs0.get(name, {})
            # Processes that ended in between are not counted; new ones count from zero.
            used = sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())
            shares[name] = 100 * used / elapsed
        busy_share = (busy - self._sys0[0]) / max(1, total - self._sys0[1])
        pressure = _cpu_pressure_us()
        stalled = None
        if pressure is not None and self._pressure0 is not None:
            stalled = round(100 * (pressure - self._pressure0) / 1e6 / elapsed, 1)
        return {
            "seconds": round(elapsed, 3),
            "cpu_percent_of_one_core": {name: round(value, 1) for name, value in shares.items()},
            "machine_busy_percent_of_all_cores": round(100 * busy_share, 1),
            "machine_cores": cores,
            "cpu_pressure_some_percent": stalled,
            "loadavg_at_start": self._load0,
            "loadavg_at_end": os.getloadavg(),
        }


def cpu_ms_per_event(cpu: dict[str, Any], events: int) -> dict[str, float]:
    """CPU milliseconds per event of each measured process (less noisy than latency on a shared
    machine: waiting for a CPU costs time, not CPU)."""
    if not events:
        return {}
    seconds = cpu["seconds"]
    return {
        name: round(10 * percent * seconds / events, 3)
        for name, percent in cpu["cpu_percent_of_one_core"].items()
    }


# -- machine facts ------------------------------------------------------------------------------


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def uptime_line() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "load average: {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


async def machine_facts(admin_url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        pg_version = str(await conn.fetchval("SHOW server_version"))
        synchronous_commit = str(await conn.fetchval("SHOW synchronous_commit"))
    finally:
        await conn.close()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": _memory_gib(),
        "cpu_model": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "kafka_version": os.environ.get("BENCH_KAFKA_VERSION") or "unknown (broker given from outside)",
        "postgresql_version": pg_version,
        "postgresql_synchronous_commit": synchronous_commit,
    }


# -- helper processes ---------------------------------------------------------------------------


async def spawn(script: str, *arguments: str) -> asyncio.subprocess.Process:
    """A script of this folder as a helper process; its stdin and stdout are pipes (JSON lines)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / script),
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 28,  # the consumer answers with one line of every handled event
    )


async def read_message(stream: asyncio.StreamReader | None, seconds: float, who: str) -> dict[str, Any]:
    """The next JSON line a helper process printed."""
    assert stream is not None
    line = await asyncio.wait_for(stream.readline(), seconds)
    if not line:
        raise RuntimeError(f"the {who} process ended without answering (see its errors above)")
    message: dict[str, Any] = json.loads(line)
    return message


async def end_process(process: asyncio.subprocess.Process, seconds: float = 30) -> None:
    """Wait for a helper process to exit; terminate it (by its own pid) if it does not."""
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


def emit(message: dict[str, Any]) -> None:
    """A JSON line to the parent (helper processes' protocol on their stdout)."""
    print(json.dumps(message), flush=True)
