"""The commit-to-handler latency run of the messaging benchmark, at a fixed rate.

Writes are scheduled on a fixed clock (open model) at R events/s; a write is one transaction with
one `add_event`. The writer records `t_commit` (wall clock, right after COMMIT returned) by event
id; the consumer process (`bench_consumer.py`: FastStream broker + `subscribe`, inbox, its own
transaction) records when the handler starts, by event id. Latency = t_handled - t_commit. If the
writer falls behind its clock, that delay is not hidden: `intended -> handler` measures from the
scheduled time (coordinated omission). The relay's acknowledgement time of each row (its
`after_publish_before_mark` hook) splits the latency into relay and consumer parts. As in a service
(shared_runtime), the writes and the relay (`bench_relay.new_relay`) share one pool of 10
connections, in a scratch schema with a fresh topic (`bench_support`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_relay import new_relay, relay_settings, wait_for
from bench_support import (
    REPO_ROOT,
    SOURCE_SERVICE,
    CpuMeter,
    Scratch,
    cpu_ms_per_event,
    end_process,
    fresh_topic,
    key_picker,
    make_event,
    read_message,
    scratch_schema,
    spawn,
    summarize_ms,
)

from shared_messaging.outbox import add_event
from shared_messaging.relay import OutboxRelay
from shared_runtime.heap import freeze_heap


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
            freeze_heap()  # the writers and the relay run here, as in a started service
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


def rate_of(times: Sequence[float]) -> float | None:
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return round((len(times) - 1) / (times[-1] - times[0]), 1)
