"""The outbox relay of the messaging benchmark: the relay under test and its two throughput runs.

The relay is the library's `OutboxRelay` with the library's settings (defaults, or the environment)
and the command line's overrides; `RelayPhases` times its batches. `bench_latency.py` measures
through the same relay. Each run uses a scratch schema and a fresh topic (`bench_support`):

1. relay, pre-filled: N events are written with `add_event` first; then ONE `OutboxRelay` starts and
   the clock runs until it has published and deleted all N (checked against the topic's end offsets);
2. relay, concurrent writers: a backlog of B events is written first; then the relay and a
   separate process with W writers (one `add_event` per transaction, as fast as they can, for S
   seconds) start together. The relay's rate is taken until it first caught up with the writers
   (at most one batch left), and overall until the outbox is empty after the writers stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from bench_support import (
    SOURCE_SERVICE,
    CpuMeter,
    Scratch,
    cpu_ms_per_event,
    end_process,
    fresh_topic,
    key_picker,
    make_event,
    outbox_pending,
    read_message,
    scratch_schema,
    spawn,
    topic_end_offsets,
)

from shared_messaging.broker import create_producer
from shared_messaging.outbox import add_event
from shared_messaging.relay import OutboxRelay
from shared_messaging.settings import KafkaSettings

# -- the relay under test -----------------------------------------------------------------------


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


# -- the outbox and the topic -------------------------------------------------------------------


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
