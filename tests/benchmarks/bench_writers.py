"""Load generator of the relay benchmark's second run: concurrent writers, as fast as they can.

Each of `--writers` tasks loops: one short transaction with one `add_event`, committed, until
`--seconds` have passed. Runs in its own process so the writers' Python work does not share the
relay's event loop (in a service, request handlers and the relay would share it).

Like a second replica of a service, it runs a standby relay of the schema, started once the parent
writes a line to stdin (its relay then holds the lock): the writers' commits wake the active relay
through it (a coalesced NOTIFY, see `shared_messaging.wakeup`).

Protocol on stdout, one JSON object a line:
  {"event": "started", "t": <wall clock>}
  {"event": "done", "written": N, "t_first": ..., "t_last": ..., "cpu_seconds": ..., "errors": E}
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from bench_support import SOURCE_SERVICE, emit, key_picker, make_event, self_cpu_seconds

from shared_db.pool import create_pool
from shared_messaging.broker import create_producer
from shared_messaging.outbox import add_event
from shared_messaging.relay import OutboxRelay
from shared_messaging.settings import KafkaSettings


async def standby_relay(args: argparse.Namespace, pool: Any) -> OutboxRelay:
    """Once the parent says its relay is active: a relay of the schema here, standing by."""
    stdin = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    await stdin.readline()
    settings = KafkaSettings()
    relay = OutboxRelay(pool, lambda: create_producer(settings), SOURCE_SERVICE, args.schema, settings)
    await relay.start()
    return relay


async def write(args: argparse.Namespace) -> None:
    # One connection more for the standby relay's lock attempts and its NOTIFYs.
    pool = await create_pool(args.dsn, args.schema, min_size=args.writers, max_size=args.writers + 1)
    standby = asyncio.create_task(standby_relay(args, pool))
    written = 0
    errors = 0
    rng = key_picker(args.keys, args.seed)
    cpu0 = self_cpu_seconds()
    t_first = time.time()
    deadline = time.monotonic() + args.seconds

    async def writer() -> None:
        nonlocal written, errors
        seq = 0
        while time.monotonic() < deadline:
            seq += 1
            event = make_event(rng.randrange(args.keys), seq)
            try:
                async with pool.acquire() as conn, conn.transaction():
                    await add_event(conn, event, topic=args.topic, source_service=SOURCE_SERVICE)
            except Exception as error:  # counted and reported; the run goes on
                errors += 1
                if errors <= 3:
                    print(f"writer error: {error!r}", file=sys.stderr, flush=True)
                continue
            written += 1

    emit({"event": "started", "t": t_first})
    try:
        await asyncio.gather(*(writer() for _ in range(args.writers)))
    finally:
        t_last = time.time()
        if standby.done() and not standby.cancelled() and standby.exception() is None:
            await standby.result().stop()
        else:
            standby.cancel()
        await asyncio.wait_for(pool.close(), 30)
    emit(
        {
            "event": "done",
            "written": written,
            "errors": errors,
            "t_first": t_first,
            "t_last": t_last,
            "cpu_seconds": self_cpu_seconds() - cpu0,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2)
    asyncio.run(write(parser.parse_args()))


if __name__ == "__main__":
    main()
