"""Messaging benchmark: outbox relay throughput and commit-to-handler latency (figures, no asserts).

Run with `make bench-messaging` (deploy/local/bench.sh starts the test Kafka and PostgreSQL unless
KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL are given) or, with both set,
`.venv/bin/python tests/benchmarks/bench_messaging.py --help`.

Each run uses a scratch schema (outbox + inbox from `install_messaging_tables`, dropped afterwards)
and a fresh topic (default 6 partitions, deleted afterwards):

1. relay, pre-filled: N events are written with `add_event` first; then ONE `OutboxRelay` starts and
   the clock runs until it has published and deleted all N (checked against the topic's end offsets);
2. relay, concurrent writers: a backlog of B events is written first; then the relay and a
   separate process with W writers (one `add_event` per transaction, as fast as they can, for S
   seconds) start together. The relay's rate is taken until it first caught up with the writers
   (at most one batch left), and overall until the outbox is empty after the writers stopped;
3. latency: writes are scheduled on a fixed clock (open model) at R events/s; a write is one
   transaction with one `add_event`. The writer records `t_commit` (wall clock, right after COMMIT
   returned) by event id; the consumer process (FastStream broker + `subscribe`, inbox, its own
   transaction) records when the handler starts, by event id. Latency = t_handled - t_commit. If
   the writer falls behind its clock, that delay is not hidden: `intended -> handler` measures from
   the scheduled time (coordinated omission). The relay's acknowledgement time of each row
   (its `after_publish_before_mark` hook) splits the latency into relay and consumer parts.
   As in a service (shared_runtime), the writes and the relay share one pool of 10 connections.

Output: a table on stdout and the same as JSON in var/benchmarks/messaging-<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from bench_support import (
    REPO_ROOT,
    SOURCE_SERVICE,
    CpuMeter,
    Scratch,
    fresh_topic,
    key_picker,
    machine_facts,
    make_event,
    outbox_pending,
    required_env,
    scratch_schema,
    summarize_ms,
    topic_end_offsets,
    uptime_line,
)

from shared_messaging.broker import create_producer
from shared_messaging.outbox import add_event
from shared_messaging.relay import OutboxRelay
from shared_messaging.settings import KafkaSettings

HERE = Path(__file__).resolve().parent
RELAY_TARGET_EVENTS_PER_S = 5_000
LATENCY_TARGET_P99_MS = 50.0
LATENCY_TARGET_RATE = 500

# -- helpers ------------------------------------------------------------------------------------


def relay_settings(args: argparse.Namespace, bootstrap: str) -> KafkaSettings:
    """The library's settings (defaults, or the environment), with the flags' overrides."""
    overrides: dict[str, Any] = {"kafka_bootstrap_servers": bootstrap}
    if args.batch_size is not None:
        overrides["outbox_batch_size"] = args.batch_size
    if args.linger_ms is not None:
        overrides["kafka_linger_ms"] = args.linger_ms
    return KafkaSettings(**overrides)


def producer_factory(settings: KafkaSettings, max_batch_bytes: int | None) -> Callable[[], AIOKafkaProducer]:
    """The relay's producer: the library's own, or (experiment) the same options with a bigger
    per-partition batch than aiokafka's 16 KiB default."""
    if max_batch_bytes is None:
        return lambda: create_producer(settings, client_id="bench-relay")
    return lambda: AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="bench-relay",
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.kafka_linger_ms,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_batch_size=max_batch_bytes,
    )


def new_relay(
    scratch: Scratch,
    settings: KafkaSettings,
    max_batch_bytes: int | None,
    on_acked: Callable[[Sequence[int]], Awaitable[None]] | None = None,
) -> OutboxRelay:
    return OutboxRelay(
        scratch.pool,
        producer_factory(settings, max_batch_bytes),
        SOURCE_SERVICE,
        scratch.name,
        settings,
        after_publish_before_mark=on_acked,
    )


class RelayPhases:
    """Where the relay's wall time goes, per batch: read, send until acknowledged, delete.

    Diagnostics only: it wraps the relay's private `_fetch` / `_send` / `_mark` on the instance
    (three clock reads per batch); a method missing after a library change is simply not timed.
    """

    PHASES = {"_fetch": "fetch", "_send": "send_until_acked", "_mark": "delete"}

    def __init__(self, relay: OutboxRelay) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(self.PHASES.values(), 0.0)
        self.calls: Counter[str] = Counter()
        for attribute, phase in self.PHASES.items():
            original = getattr(relay, attribute, None)
            if original is not None:
                setattr(relay, attribute, self._timed(phase, original))

    def _timed(self, phase: str, original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
                self.calls[phase] += 1

        return timed

    def summary(self, wall_seconds: float) -> dict[str, Any]:
        batches = self.calls["fetch"]
        per_batch = {
            f"{phase}_ms_per_batch": round(1000 * self.seconds[phase] / batches, 2) if batches else None
            for phase in self.PHASES.values()
        }
        busy = sum(self.seconds.values())
        return {
            "batches": batches,
            **per_batch,
            "share_of_wall_time_percent": {
                **{
                    phase: round(100 * self.seconds[phase] / wall_seconds, 1)
                    for phase in self.PHASES.values()
                },
                "elsewhere": round(100 * (wall_seconds - busy) / wall_seconds, 1),
            },
        }


async def wait_for(condition: Callable[[], bool], seconds: float, what: str, relay: OutboxRelay) -> None:
    """Poll `condition` every 2 ms (cheap: in-memory); fail if the relay task died or time ran out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        task = relay.task
        if task is not None and task.done():
            raise RuntimeError(f"the relay stopped while waiting for {what}: {task.exception()!r}")
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached within {seconds:g} s")
        await asyncio.sleep(0.002)


async def read_message(stream: asyncio.StreamReader | None, seconds: float, who: str) -> dict[str, Any]:
    """The next JSON line a helper process printed."""
    assert stream is not None
    line = await asyncio.wait_for(stream.readline(), seconds)
    if not line:
        raise RuntimeError(f"the {who} process ended without answering (see its errors above)")
    message: dict[str, Any] = json.loads(line)
    return message


async def spawn(script: str, *arguments: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / script),
        *arguments,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 28,  # the consumer answers with one line of every handled event
    )


async def end_process(process: asyncio.subprocess.Process, seconds: float = 30) -> None:
    """Wait for a helper process to exit; terminate it (by its own pid) if it does not."""
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)


async def prefill(scratch: Scratch, topic: str, count: int, args: argparse.Namespace) -> float:
    """`count` events through `add_event`, `--prefill-batch` per transaction, 4 connections;
    returns the seconds it took."""
    started = time.perf_counter()
    rng = key_picker(args.keys, seed=1)
    keys = [rng.randrange(args.keys) for _ in range(count)]
    chunks = iter(range(0, count, args.prefill_batch))

    async def worker() -> None:
        for start in chunks:
            async with scratch.pool.acquire() as conn, conn.transaction():
                for index in range(start, min(start + args.prefill_batch, count)):
                    event = make_event(keys[index], index)
                    await add_event(conn, event, topic=topic, source_service=SOURCE_SERVICE)

    await asyncio.gather(*(worker() for _ in range(4)))
    await scratch.pool.execute("ANALYZE outbox")  # as autovacuum would have by now
    return time.perf_counter() - started


async def verify(scratch: Scratch, bootstrap: str, topic: str, expected: int) -> dict[str, Any]:
    pending = await outbox_pending(scratch.pool)
    in_topic = await topic_end_offsets(bootstrap, topic)
    return {
        "outbox_rows_left": pending,
        "records_in_topic": in_topic,
        "ok": pending == 0 and in_topic == expected,
    }


# -- 1. relay throughput, pre-filled outbox -----------------------------------------------------


async def bench_relay_prefilled(args: argparse.Namespace, bootstrap: str, admin_url: str) -> dict[str, Any]:
    settings = relay_settings(args, bootstrap)
    async with (
        scratch_schema(admin_url, notify_trigger=args.notify_trigger) as scratch,
        fresh_topic(bootstrap, args.partitions) as topic,
    ):
        print(f"[relay/pre-filled] writing {args.events:,} events to the outbox ...", flush=True)
        prefill_seconds = await prefill(scratch, topic, args.events, args)
        sizes = await scratch.pool.fetchrow(
            "SELECT avg(octet_length(payload::text))::int AS payload,"
            " avg(octet_length(headers::text))::int AS headers FROM outbox"
        )
        print(f"[relay/pre-filled] pre-filled in {prefill_seconds:.1f} s; relaying ...", flush=True)

        relay = new_relay(scratch, settings, args.max_batch_bytes)
        phases = RelayPhases(relay)
        meter = CpuMeter()
        meter.start()
        t0 = time.perf_counter()
        await relay.start()
        await wait_for(lambda: relay.published_total > 0, 60, "the first batch", relay)
        t_first = time.perf_counter()
        first_batch = relay.published_total
        await wait_for(
            lambda: relay.published_total >= args.events,
            max(120, args.events / 200),
            "a drained outbox",
            relay,
        )
        t_end = time.perf_counter()
        cpu = meter.stop()
        await relay.stop()
        check = await verify(scratch, bootstrap, topic, args.events)

    total = t_end - t0
    steady = t_end - t_first
    return {
        "events": args.events,
        "keys": args.keys,
        "avg_payload_bytes": sizes["payload"],
        "avg_headers_json_bytes": sizes["headers"],
        "prefill_seconds": round(prefill_seconds, 2),
        "prefill_events_per_s": round(args.events / prefill_seconds),
        "seconds": round(total, 3),
        "events_per_s": round(args.events / total),
        "startup_to_first_batch_ms": round(1000 * (t_first - t0), 1),
        "events_per_s_after_first_batch": round((args.events - first_batch) / steady) if steady > 0 else None,
        "relay_phases": phases.summary(total),
        "cpu": cpu,
        "cpu_ms_per_event": cpu_ms_per_event(cpu, args.events),
        "verification": check,
    }


# -- 2. relay throughput, concurrent writers ----------------------------------------------------


async def bench_relay_continuous(args: argparse.Namespace, bootstrap: str, admin_url: str) -> dict[str, Any]:
    """A backlog of `--backlog` events, then the relay and `--writers` concurrent writers start
    together; the relay's rate is taken until it first caught up with the writers (outbox at most
    one batch), and overall until the outbox is empty after the writers stopped."""
    settings = relay_settings(args, bootstrap)
    batch = settings.outbox_batch_size
    async with (
        scratch_schema(admin_url, notify_trigger=args.notify_trigger) as scratch,
        fresh_topic(bootstrap, args.partitions) as topic,
    ):
        backlog_seconds = 0.0
        if args.backlog:
            print(f"[relay/writers] writing a backlog of {args.backlog:,} events ...", flush=True)
            backlog_seconds = await prefill(scratch, topic, args.backlog, args)
        print(
            f"[relay/writers] {args.writers} writers for {args.writers_seconds:g} s while the relay runs ...",
            flush=True,
        )
        relay = new_relay(scratch, settings, args.max_batch_bytes)
        phases = RelayPhases(relay)
        writers = await spawn(
            "bench_writers.py",
            f"--dsn={admin_url}",
            f"--schema={scratch.name}",
            f"--topic={topic}",
            f"--writers={args.writers}",
            f"--seconds={args.writers_seconds}",
            f"--keys={args.keys}",
        )
        samples: list[tuple[float, int, int]] = []  # (wall clock, outbox rows, published)
        try:
            meter = CpuMeter(extra_pids={"writers process": writers.pid})
            meter.start()
            await read_message(writers.stdout, 60, "writers")
            t0 = time.time()
            await relay.start()
            await wait_for(lambda: relay.is_active, 30, "the relay lock", relay)
            assert writers.stdin is not None
            writers.stdin.write(b"relay active\n")  # the writers' process starts a standby relay
            await writers.stdin.drain()

            async def sample() -> None:
                while True:
                    pending = await outbox_pending(scratch.pool)
                    samples.append((time.time(), pending, relay.published_total))
                    await asyncio.sleep(0.1)

            sampler = asyncio.create_task(sample())
            try:
                done = await read_message(writers.stdout, args.writers_seconds + 60, "writers")
            finally:
                sampler.cancel()
            published_when_writers_stopped = relay.published_total
            cpu = meter.stop()  # while the writers process still exists (its CPU is counted)
            await end_process(writers)
            total = args.backlog + int(done["written"])
            await wait_for(lambda: relay.published_total >= total, 120, "a drained outbox", relay)
            t_drained = time.time()
        finally:
            if writers.returncode is None:
                writers.terminate()
                await writers.wait()
        await relay.stop()
        check = await verify(scratch, bootstrap, topic, total)

    written = int(done["written"])
    write_seconds = done["t_last"] - done["t_first"]
    caught_up = next(((t, published) for t, pending, published in samples if pending <= batch), None)
    if caught_up is None:  # not while the writers wrote: then only once they had stopped
        caught_up = (t_drained, total)
    max_lag = max((pending for _, pending, _ in samples), default=0)
    lag_after_backlog = max((pending for t, pending, _ in samples if t > caught_up[0]), default=0)
    return {
        "backlog": args.backlog,
        "backlog_write_seconds": round(backlog_seconds, 2),
        "writers": args.writers,
        "write_seconds": round(write_seconds, 3),
        "events_written": written,
        "write_errors": done["errors"],
        "write_events_per_s": round(written / write_seconds),
        "writers_cpu_percent_of_one_core": round(100 * done["cpu_seconds"] / write_seconds, 1),
        "seconds_to_catch_up": round(caught_up[0] - t0, 3),
        "events_per_s_until_caught_up": round(caught_up[1] / (caught_up[0] - t0)),
        "events_per_s": round(total / (t_drained - t0)),
        "seconds_relay_start_to_drained": round(t_drained - t0, 3),
        "relay_events_per_s_while_writing": round(published_when_writers_stopped / (done["t_last"] - t0)),
        "drain_after_writers_stopped_s": round(max(0.0, t_drained - done["t_last"]), 3),
        "max_outbox_rows": max_lag,
        "max_outbox_rows_after_catching_up": lag_after_backlog,
        "relay_phases": phases.summary(t_drained - t0),
        "cpu": cpu,
        "cpu_ms_per_event": cpu_ms_per_event(cpu, published_when_writers_stopped),
        "verification": check,
    }


# -- 3. commit-to-handler latency at a fixed rate -----------------------------------------------


@dataclass
class Write:
    intended: float  # wall clock of the scheduled start
    started: float = 0.0
    committed: float = 0.0
    event_id: str = ""
    error: str | None = None


class AckClock:
    """When Kafka acknowledged each event, by event id, without adding work to the writes.

    The relay's fetched rows (its private `_fetch`, wrapped; diagnostics only) map outbox ids to
    `ce_id`s, and its `after_publish_before_mark` hook gives the acknowledged outbox ids.
    """

    def __init__(self) -> None:
        self.acked: dict[str, float] = {}
        self._event_of_row: dict[int, str] = {}

    def watch(self, relay: OutboxRelay) -> None:
        original = getattr(relay, "_fetch", None)
        if original is None:
            return

        async def fetch() -> Any:
            rows = await original()
            for row in rows:
                for name, value in getattr(row, "headers", ()):
                    if name == "ce_id":
                        self._event_of_row[row.id] = value.decode()
            return rows

        setattr(relay, "_fetch", fetch)  # noqa: B010 (mypy refuses assigning to a method)

    async def on_acked(self, outbox_ids: Sequence[int]) -> None:
        now = time.time()
        for outbox_id in outbox_ids:
            if (event_id := self._event_of_row.pop(outbox_id, None)) is not None:
                self.acked.setdefault(event_id, now)


async def fixed_rate_writes(scratch: Scratch, topic: str, args: argparse.Namespace) -> list[Write]:
    """Open model: write i starts at t0 + i/R whatever happened to the writes before it."""
    loop = asyncio.get_running_loop()
    wall_minus_loop = time.time() - loop.time()
    rng = key_picker(args.keys, seed=3)
    total = round(args.rate * (args.warmup + args.duration))
    t0 = loop.time() + 0.2
    writes: list[Write] = []

    async def one(write: Write, key_index: int, seq: int) -> None:
        write.started = time.time()
        event = make_event(key_index, seq)
        try:
            async with scratch.pool.acquire(timeout=10) as conn:
                async with conn.transaction():
                    meta = await add_event(conn, event, topic=topic, source_service=SOURCE_SERVICE)
                write.committed = time.time()
                write.event_id = meta.id
        except Exception as error:
            write.error = repr(error)

    tasks = []
    for index in range(total):
        intended = t0 + index / args.rate
        if (delay := intended - loop.time()) > 0:
            await asyncio.sleep(delay)
        write = Write(intended=intended + wall_minus_loop)
        writes.append(write)
        tasks.append(asyncio.create_task(one(write, rng.randrange(args.keys), index)))
    await asyncio.gather(*tasks)
    return writes


async def bench_latency(args: argparse.Namespace, bootstrap: str, admin_url: str) -> dict[str, Any]:
    settings = relay_settings(args, bootstrap)
    ack_clock = AckClock()
    consumer_log = REPO_ROOT / "var" / "log" / "bench-consumer.log"
    consumer_log.parent.mkdir(parents=True, exist_ok=True)
    async with (
        scratch_schema(admin_url, notify_trigger=args.notify_trigger) as scratch,
        fresh_topic(bootstrap, args.partitions) as topic,
    ):
        await scratch.pool.execute(
            "CREATE TABLE bench_read_model (sub_order_id text PRIMARY KEY, order_id text NOT NULL,"
            " step text NOT NULL, revision integer NOT NULL, updated_at timestamptz NOT NULL)"
        )
        consumer_args = [
            f"--bootstrap={bootstrap}",
            f"--dsn={admin_url}",
            f"--schema={scratch.name}",
            f"--topic={topic}",
            f"--partitions={args.partitions}",
            f"--log={consumer_log}",
        ]
        if not args.consumer_access_log:
            consumer_args.append("--no-access-log")
        consumer = await spawn("bench_consumer.py", *consumer_args)
        relay = new_relay(scratch, settings, args.max_batch_bytes, ack_clock.on_acked)
        ack_clock.watch(relay)
        try:
            await read_message(consumer.stdout, 90, "consumer")
            await relay.start()
            await wait_for(lambda: relay.is_active, 30, "the relay lock", relay)
            print(
                f"[latency] {args.rate:g} events/s for {args.warmup:g} s warm-up + {args.duration:g} s ...",
                flush=True,
            )
            meter = CpuMeter(extra_pids={"consumer process": consumer.pid})
            meter.start()
            writes = await fixed_rate_writes(scratch, topic, args)
            committed = [w for w in writes if w.error is None]
            scheduled_s = args.warmup + args.duration
            await wait_for(
                lambda: relay.published_total >= len(committed),
                max(120.0, 3 * scheduled_s),
                "a drained outbox",
                relay,
            )
            cpu = meter.stop()
            assert consumer.stdin is not None
            # Bounded: events still unhandled then count as "unfinished" (ranked above every latency).
            finish = {"cmd": "finish", "expect": len(committed), "seconds": max(60.0, 3 * scheduled_s)}
            consumer.stdin.write(json.dumps(finish).encode())
            consumer.stdin.write(b"\n")
            await consumer.stdin.drain()
            done = await read_message(consumer.stdout, finish["seconds"] + 30, "consumer")
            handled: dict[str, float] = done["handled"]
            consumer_timings: dict[str, Any] = done.get("timings", {})
            await end_process(consumer)
        finally:
            if consumer.returncode is None:
                consumer.terminate()
                await consumer.wait()
            await relay.stop()

    figures = latency_figures(args, writes, ack_clock.acked, handled, cpu, consumer_log)
    figures["consumer_timings_all_messages"] = consumer_timings
    return figures


def latency_figures(
    args: argparse.Namespace,
    writes: list[Write],
    acked: dict[str, float],
    handled: dict[str, float],
    cpu: dict[str, Any],
    consumer_log: Path,
) -> dict[str, Any]:
    measure_from = writes[0].intended + args.warmup if writes else 0.0
    measured = [w for w in writes if w.intended >= measure_from]
    ok = [w for w in measured if w.error is None]
    seen = [w for w in ok if w.event_id in handled]
    commit_to_handler = [handled[w.event_id] - w.committed for w in seen]
    intended_to_handler = [handled[w.event_id] - w.intended for w in seen]
    acked_writes = [w for w in ok if w.event_id in acked]
    with_ack = [w for w in seen if w.event_id in acked]
    commits = sorted(w.committed for w in ok)
    handled_times = sorted(handled[w.event_id] for w in seen)
    errors = Counter((w.error or "").split("(", 1)[0] for w in measured if w.error is not None)
    return {
        "target_rate_per_s": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "scheduled": len(measured),
        "committed": len(ok),
        "write_errors": len(measured) - len(ok),
        "write_error_kinds": dict(errors.most_common(5)),
        "handled": len(seen),
        "not_handled": len(ok) - len(seen),
        "negative_latencies": sum(1 for value in commit_to_handler if value < 0),
        "achieved_commit_rate_per_s": rate_of(commits),
        "achieved_handler_rate_per_s": rate_of(handled_times),
        "commit_to_handler": summarize_ms(commit_to_handler, missing=len(ok) - len(seen)),
        "intended_to_handler": summarize_ms(intended_to_handler, missing=len(measured) - len(seen)),
        "commit_to_kafka_ack": summarize_ms(
            [acked[w.event_id] - w.committed for w in acked_writes], missing=len(ok) - len(acked_writes)
        ),
        "kafka_ack_to_handler": summarize_ms(
            [handled[w.event_id] - acked[w.event_id] for w in with_ack],
            missing=len(acked_writes) - len(with_ack),
        ),
        "schedule_lag": summarize_ms([w.started - w.intended for w in ok]),
        "write_transaction": summarize_ms([w.committed - w.started for w in ok]),
        "consumer_access_log": args.consumer_access_log,
        "consumer_log": str(consumer_log),
        "cpu": cpu,
        "cpu_ms_per_event": cpu_ms_per_event(cpu, sum(1 for w in writes if w.error is None)),
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


def rate_of(times: Sequence[float]) -> float | None:
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return round((len(times) - 1) / (times[-1] - times[0]), 1)


# -- report -------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def figures_table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if prefilled := results.get("relay_prefilled"):
        rate = prefilled["events_per_s"]
        rows.append(
            (
                f"relay, pre-filled outbox ({prefilled['events']:,} events)",
                f"{rate:,} ev/s",
                f">= {RELAY_TARGET_EVENTS_PER_S:,}/s",
                verdict(rate >= RELAY_TARGET_EVENTS_PER_S),
            )
        )
        rows.append(
            (
                "  after the first batch",
                f"{prefilled['events_per_s_after_first_batch']:,} ev/s",
                "",
                "",
            )
        )
        rows.append(("  relay process CPU", cpu_share(prefilled["cpu"], "benchmark process"), "", ""))
        rows.append(("  relay CPU per event", per_event(prefilled, "benchmark process"), "", ""))
        rows.append(("  per batch: fetch / send+ack / delete", phase_line(prefilled["relay_phases"]), "", ""))
    if continuous := results.get("relay_continuous"):
        rate = continuous["events_per_s_until_caught_up"]
        rows.append(
            (
                f"relay, {continuous['backlog']:,} backlog + {continuous['writers']} writers",
                f"{rate:,} ev/s",
                f">= {RELAY_TARGET_EVENTS_PER_S:,}/s",
                verdict(rate >= RELAY_TARGET_EVENTS_PER_S),
            )
        )
        rows.append(
            (
                "  (until caught up with the writers)",
                f"{continuous['seconds_to_catch_up']:.1f} s",
                "",
                "",
            )
        )
        rows.append(
            (
                "  writers committed (1 event/transaction)",
                f"{continuous['write_events_per_s']:,} ev/s",
                "",
                "",
            )
        )
        rows.append(
            (
                "  outbox rows after catching up (max)",
                f"{continuous['max_outbox_rows_after_catching_up']:,}",
                "",
                "",
            )
        )
        rows.append(("  overall, relay start to drained", f"{continuous['events_per_s']:,} ev/s", "", ""))
        rows.append(("  relay process CPU", cpu_share(continuous["cpu"], "benchmark process"), "", ""))
        rows.append(("  writers process CPU", cpu_share(continuous["cpu"], "writers process"), "", ""))
        rows.append(
            (
                "  CPU per event: relay / writers",
                per_event(continuous, "benchmark process", "writers process"),
                "",
                "",
            )
        )
        rows.append(
            ("  per batch: fetch / send+ack / delete", phase_line(continuous["relay_phases"]), "", "")
        )
    if latency := results.get("latency"):
        rows.extend(latency_rows(latency))
    return rows


def ms(summary: dict[str, Any], *names: str) -> str:
    """`p50 / p99` style cells; a percentile among events never handled shows as "unfinished"."""
    if not summary.get("count") and not summary.get("missing"):
        return "-"
    values = [summary.get(f"{name}_ms") for name in names]
    return " / ".join("unfinished" if value is None else f"{value:.1f}" for value in values) + " ms"


def latency_rows(latency: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    c2h = latency["commit_to_handler"]
    p99 = c2h.get("p99_ms")
    if latency["target_rate_per_s"] != LATENCY_TARGET_RATE:
        result = "n/a (other rate)"
    else:
        result = verdict(p99 is not None and p99 <= LATENCY_TARGET_P99_MS)
    rows = [
        (f"commit -> handler at {latency['target_rate_per_s']:g}/s, p50", ms(c2h, "p50"), "", ""),
        ("  p95", ms(c2h, "p95"), "", ""),
        ("  p99", ms(c2h, "p99"), f"<= {LATENCY_TARGET_P99_MS:g} ms @ {LATENCY_TARGET_RATE}/s", result),
        ("  max", ms(c2h, "max"), "", ""),
        (
            "intended start -> handler p50 / p99 / max",
            ms(latency["intended_to_handler"], "p50", "p99", "max"),
            "(coordinated omission)",
            "",
        ),
        (
            "  of which commit -> Kafka ack p50 / p99",
            ms(latency["commit_to_kafka_ack"], "p50", "p99"),
            "(relay)",
            "",
        ),
        (
            "  of which Kafka ack -> handler p50 / p99",
            ms(latency["kafka_ack_to_handler"], "p50", "p99"),
            "(consumer)",
            "",
        ),
        ("  write transaction p50 / p99", ms(latency["write_transaction"], "p50", "p99"), "", ""),
        (
            "  achieved commit / handler rate",
            f"{latency['achieved_commit_rate_per_s']} / {latency['achieved_handler_rate_per_s']} /s",
            "",
            "",
        ),
        (
            "  scheduled / committed / handled",
            f"{latency['scheduled']:,} / {latency['committed']:,} / {latency['handled']:,}",
            "",
            "",
        ),
    ]
    if latency["write_errors"]:
        kinds = ", ".join(f"{kind} x{count}" for kind, count in latency["write_error_kinds"].items())
        rows.append(("  failed writes", f"{latency['write_errors']:,} ({kinds})", "", ""))
    rows.append(("  consumer process CPU", cpu_share(latency["cpu"], "consumer process"), "", ""))
    rows.append(
        (
            "  CPU per event: writers+relay / consumer",
            per_event(latency, "benchmark process", "consumer process"),
            "",
            "",
        )
    )
    for label, timing in latency.get("consumer_timings_all_messages", {}).items():
        rows.append((f"  consumer: {label} p50 / p99", ms(timing, "p50", "p99"), "", ""))
    return rows


def per_event(result: dict[str, Any], *names: str) -> str:
    values = [result.get("cpu_ms_per_event", {}).get(name) for name in names]
    if None in values:
        return "-"
    return " / ".join(f"{value:.2f}" for value in values) + " ms"


def phase_line(phases: dict[str, Any]) -> str:
    values = [phases.get(f"{phase}_ms_per_batch") for phase in RelayPhases.PHASES.values()]
    if None in values:
        return "-"
    return " / ".join(f"{value:.1f}" for value in values) + f" ms ({phases['batches']} batches)"


def cpu_share(cpu: dict[str, Any], name: str) -> str:
    value = cpu["cpu_percent_of_one_core"].get(name)
    machine = cpu["machine_busy_percent_of_all_cores"]
    if value is None:
        return "-"
    text = f"{value:.0f} % of a core (machine {machine:.0f} % busy"
    if (stalled := cpu.get("cpu_pressure_some_percent")) is not None:
        text += f", CPU pressure {stalled:.0f} %"
    return text + ")"


def print_report(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print()
    print(f"Messaging benchmark, {report['started_at']}")
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"Kafka {machine['kafka_version']}, PostgreSQL {machine['postgresql_version']} "
        f"(synchronous_commit={machine['postgresql_synchronous_commit']}), Python {machine['python']}"
    )
    print(f"load before: {report['uptime_before']}")
    print(f"load after:  {report['uptime_after']}")
    print("parameters: " + ", ".join(f"{key}={value}" for key, value in report["parameters"].items()))
    rows = [("figure", "measured", "target", "result"), *figures_table(report["results"])]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    print()
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))
    for name, result in report["results"].items():
        if "verification" in result and not result["verification"]["ok"]:
            print(f"\nWARNING: {name}: verification failed: {result['verification']}")
    print(
        "\nCPU shares are % of one core; CPU pressure (Linux PSI 'some') is the share of the time at least"
        "\none runnable task waited for a CPU. Targets are informational (a shared, noisy 2-core machine);"
        "\nnothing is asserted."
    )
    print(f"JSON: {report['json_path']}")


# -- main ---------------------------------------------------------------------------------------


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
        help="silence FastStream's per-message INFO access log in the consumer (the services keep it)",
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
