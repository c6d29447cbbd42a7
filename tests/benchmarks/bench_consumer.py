"""Consumer side of the latency benchmark, in its own process (as the consuming service would be).

A real FastStream `KafkaBroker` from `create_broker`, one `shared_messaging.subscribe` subscription
with its inbox and DLQ; the handler runs in its own transaction (inbox claim + a read-model upsert)
and stamps `time.time()` when it starts, keyed by the event id (`ce_id`).

Protocol: JSON lines on the ORIGINAL stdout; fd 1 is then pointed at `--log`, because FastStream
writes its access log ("Received" / "Processed" per polled batch; DEBUG in the services) to stdout.
  -> {"event": "ready"}                         partitions assigned, handler waiting
  <- {"cmd": "finish", "expect": N, "seconds": S}
  -> {"event": "done", "handled": {event id: t_handled}, "timings": {...}}
                                                once N are handled, or after S seconds
The consumer's own time is split by timing a few of its calls (`Stopwatch`): the whole message,
the inbox + handler transaction, the Kafka offset commit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import os
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer
from bench_support import EVENT_TYPE, summarize_ms

from shared_contracts.envelope import CloudEventMeta
from shared_contracts.events import OrderEnriched
from shared_db.pool import create_pool
from shared_messaging.broker import ACCESS_LOGGER, create_broker, start_broker, stop_broker
from shared_messaging.consumer import MessageProcessor, NamedHandler, subscribe
from shared_messaging.dlq import DeadLetterPublisher
from shared_messaging.settings import KafkaSettings
from shared_runtime.heap import freeze_heap

READ_MODEL_SQL = """
INSERT INTO bench_read_model (sub_order_id, order_id, step, revision, updated_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (sub_order_id) DO UPDATE
SET step = EXCLUDED.step, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at
"""


@dataclass
class _Expectation:
    """How many handled events the parent waits for (set by its "finish" command)."""

    expected: int = 1 << 62
    reached: asyncio.Event = field(default_factory=asyncio.Event)


class Stopwatch:
    """Durations of calls of some coroutine methods, by label (diagnostics of the consumer's time).

    Wraps methods on their classes, so it must be applied before anything calls them.
    """

    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)

    def wrap(self, owner: type, attribute: str, label: str) -> None:
        original = getattr(owner, attribute)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.samples[label].append(time.perf_counter() - started)

        setattr(owner, attribute, timed)

    def summary(self) -> dict[str, dict[str, Any]]:
        return {label: summarize_ms(values) for label, values in self.samples.items()}


def _send(protocol: TextIO, message: dict[str, Any]) -> None:
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


async def consume(args: argparse.Namespace, protocol: TextIO) -> None:
    stopwatch = Stopwatch()
    stopwatch.wrap(MessageProcessor, "process", "whole message: headers, validation, inbox+handler tx")
    stopwatch.wrap(MessageProcessor, "_run_handlers", "inbox + handler transaction (acquire..COMMIT)")
    stopwatch.wrap(AIOKafkaConsumer, "commit", "Kafka offset commit (ack)")
    settings = KafkaSettings(kafka_bootstrap_servers=args.bootstrap)
    pool = await create_pool(args.dsn, args.schema, min_size=2, max_size=10)
    handled: dict[str, float] = {}
    state = _Expectation()

    async def on_enriched(conn: Any, event: OrderEnriched, meta: CloudEventMeta) -> None:
        handled.setdefault(meta.id, time.time())
        if len(handled) >= state.expected:
            state.reached.set()
        revision = event.data.get("revision")
        await conn.execute(
            READ_MODEL_SQL,
            event.sub_order_id or event.order_id,
            event.order_id,
            event.step,
            revision if isinstance(revision, int) else 0,
        )

    group = f"bench-consumer-{uuid.uuid4().hex[:8]}"
    broker = create_broker(settings, group)
    dlq = DeadLetterPublisher(settings)
    subscription = subscribe(
        broker,
        args.topic,
        group_id=group,
        handlers={EVENT_TYPE: NamedHandler("bench.on_enriched", on_enriched)},
        pool=pool,
        dlq=dlq,
        settings=settings,
    )
    await start_broker(broker, settings)
    if args.access_log:  # DEBUG lines of `ACCESS_LOGGER`, which the services emit at LOG_LEVEL=DEBUG only
        access = logging.getLogger(ACCESS_LOGGER)
        access.setLevel(logging.DEBUG)
        access.addHandler(logging.StreamHandler(sys.stdout))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:
            consumer = subscription.consumer
            if consumer is not None and len(consumer.assignment()) >= args.partitions:
                break
            if loop.time() > deadline:
                raise TimeoutError("the consumer got no partitions within 60 s")
            await asyncio.sleep(0.05)
        freeze_heap()  # as a service does once started (shared_runtime.heap)
        _send(protocol, {"event": "ready", "group": group})

        line = await loop.run_in_executor(None, sys.stdin.readline)
        command = json.loads(line or '{"cmd": "finish", "expect": 0, "seconds": 0}')
        state.expected = int(command["expect"])
        if len(handled) < state.expected:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.reached.wait(), float(command.get("seconds", 60)))
        starts = sorted(handled.values())
        stopwatch.samples["between handler starts (service time when queued)"] = [
            b - a for a, b in itertools.pairwise(starts)
        ]
        _send(protocol, {"event": "done", "handled": handled, "timings": stopwatch.summary()})
    finally:
        await stop_broker(broker, settings)
        await dlq.stop()
        await asyncio.wait_for(pool.close(), 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--partitions", type=int, required=True)
    parser.add_argument("--log", required=True, help="where fd 1 (FastStream's access log) goes")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    args = parser.parse_args()

    protocol = os.fdopen(os.dup(1), "w")
    log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log_fd, 1)
    os.close(log_fd)
    logging.basicConfig(level=logging.WARNING, format="consumer %(levelname)s %(name)s %(message)s")
    asyncio.run(consume(args, protocol))


if __name__ == "__main__":
    main()
