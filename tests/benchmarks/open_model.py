"""Fixed-rate runs of what is not HTTP (a bare asyncpg insert, a Kafka produce), in this process.

vegeta drives HTTP only; the non-HTTP baselines and the Kafka commands are timed here on the same
kind of clock: call i is due at t0 + i / rate and runs then whatever happened to the earlier ones,
its latency measured from that due time (no coordinated omission). These calls are cheap for the
client (no HTTP parsing), so an asyncio loop keeps the schedule at the rates of the report; how
late it started calls is part of each latency, so a late driver is never hidden. Results are
`load_tool.Hit`s, so every scenario is reported the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from load_tool import Attack, Hit


async def run_open_model(
    name: str, rate: float, count: int, call: Callable[[int], Awaitable[None]], *, timeout_s: float = 10.0
) -> Attack:
    """`count` calls of `call(i)` at `rate` per second; an exception or a timeout is a failed call."""
    hits: list[Hit | None] = [None] * count
    loop = asyncio.get_running_loop()
    wall0, clock0 = time.time() + 0.01, loop.time() + 0.01

    async def one(index: int) -> None:
        due = clock0 + index / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        error = ""
        try:
            await asyncio.wait_for(call(index), timeout_s)
        except Exception as failure:
            error = f"{type(failure).__name__}: {failure}"[:120]
        hits[index] = Hit(
            started=wall0 + index / rate,
            latency_s=loop.time() - due,
            code=0 if error else 200,
            error=error,
            trace_id="",
            body=b"",
        )

    await asyncio.gather(*(one(index) for index in range(count)))
    return Attack(name=name, offered_rate=rate, hits=[hit for hit in hits if hit is not None])


def observed(name: str, rate: float, sent: dict[str, float], seen: dict[str, float], *, error: str) -> Attack:
    """An end-to-end figure: from each key's start (epoch seconds) to when it was seen; unseen
    keys are failures (`error`), ranked above every latency."""
    hits = [
        Hit(
            started=started,
            latency_s=(seen[key] - started) if key in seen else 0.0,
            code=200 if key in seen else 0,
            error="" if key in seen else error,
            trace_id=key,
            body=b"",
        )
        for key, started in sent.items()
    ]
    return Attack(name=name, offered_rate=rate, hits=hits)
