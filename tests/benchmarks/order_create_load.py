"""Open-model HTTP load for the order-create benchmark: fixed-clock arrivals, max-rate search.

Request i of a step is due at t0 + i / rate and is sent then (or at once, if the driver is late),
whatever happened to the earlier ones; its latency runs from that intended start to the end of its
response, so neither a slow server nor a late driver is hidden (no coordinated omission).
A request that fails, answers other than 2xx or is still open when the step's drain time is over
counts as missing: it ranks above every measured latency (`bench_support.summarize_ms`).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench_support import CpuMeter, percentile, summarize_ms

# A rate is sustained when at least this share of it completes successfully and p99 stays below the bound.
ACHIEVED_SHARE = 0.95
P99_BOUND_S = 1.0

Request = Callable[[int], tuple[bytes, dict[str, str]]]
"""Body and headers of request number i."""


@dataclass
class Step:
    offered_rate: float
    seconds: float
    scheduled: int
    ok: int
    achieved_rate: float
    latency: dict[str, Any]
    errors: dict[str, int]
    driver_late_p99_ms: float
    cpu: dict[str, Any] = field(default_factory=dict)

    @property
    def sustained(self) -> bool:
        p99 = self.latency.get("p99_ms")
        return (
            self.achieved_rate >= ACHIEVED_SHARE * self.offered_rate
            and p99 is not None
            and p99 <= 1000 * P99_BOUND_S
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "offered_rate": round(self.offered_rate, 1),
            "seconds": self.seconds,
            "scheduled": self.scheduled,
            "ok": self.ok,
            "achieved_rate": round(self.achieved_rate, 1),
            "sustained": self.sustained,
            "latency_from_intended_start": self.latency,
            "errors": self.errors,
            "driver_late_p99_ms": round(self.driver_late_p99_ms, 3),
            "cpu": self.cpu,
        }

    def line(self) -> str:
        p99 = self.latency.get("p99_ms")
        errors = f", errors {sum(self.errors.values())}" if self.errors else ""
        return (
            f"  offered {self.offered_rate:7.1f}/s  achieved {self.achieved_rate:7.1f}/s  "
            f"p99 {'> run' if p99 is None else f'{p99:.1f} ms':>10}{errors}  "
            f"{'ok' if self.sustained else 'NOT sustained'}"
        )


def http_client(max_connections: int, timeout_s: float) -> httpx.AsyncClient:
    """The one client every step shares: enough connections that the pool never throttles arrivals."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )


async def run_step(
    client: httpx.AsyncClient,
    url: str,
    request: Request,
    rate: float,
    seconds: float,
    *,
    drain_s: float = 5.0,
    cpu_pids: dict[str, int] | None = None,
) -> Step:
    """`rate * seconds` POSTs to `url` on a fixed clock; waits at most `drain_s` for stragglers."""
    count = max(1, round(rate * seconds))
    latencies: list[float] = []
    late: list[float] = []
    errors: Counter[str] = Counter()
    last_done = 0.0

    async def one(number: int, due: float) -> None:
        nonlocal last_done
        body, headers = request(number)
        late.append(time.perf_counter() - due)
        try:
            response = await client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            errors[type(error).__name__] += 1
            return
        done = time.perf_counter()
        if response.is_success:
            latencies.append(done - due)
            last_done = max(last_done, done)
        else:
            errors[f"HTTP {response.status_code}"] += 1

    meter = CpuMeter(extra_pids=dict(cpu_pids or {}))
    meter.start()
    tasks: list[asyncio.Task[None]] = []
    t0 = time.perf_counter() + 0.01
    for number in range(count):
        due = t0 + number / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(number, due)))
    schedule_end = t0 + count / rate
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, schedule_end + drain_s - time.perf_counter()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    cpu = meter.stop()
    unanswered = count - len(latencies) - sum(errors.values())
    if unanswered:
        errors["still open after drain"] += unanswered
    span = max(count / rate, last_done - t0)
    return Step(
        offered_rate=rate,
        seconds=seconds,
        scheduled=count,
        ok=len(latencies),
        achieved_rate=len(latencies) / span,
        latency=summarize_ms(latencies, missing=count - len(latencies)),
        errors=dict(errors),
        driver_late_p99_ms=1000 * percentile(sorted(late), 0.99) if late else math.nan,
        cpu=cpu,
    )


async def find_max_rate(
    client: httpx.AsyncClient,
    url: str,
    request: Request,
    *,
    start_rate: float,
    factor: float,
    ceiling: float,
    refinements: int,
    step_seconds: float,
    pause_s: float,
    cpu_pids: dict[str, int] | None = None,
    label: str = "",
) -> tuple[Step | None, list[Step]]:
    """Step the offered rate up by `factor` until it is not sustained (or `ceiling`), then bisect
    (geometrically) `refinements` times between the last sustained and the first failed rate.
    Returns the highest sustained step (None if even `start_rate` was not) and every step run."""
    steps: list[Step] = []
    best: Step | None = None
    failed: float | None = None

    async def attempt(rate: float) -> Step:
        if steps:
            await asyncio.sleep(pause_s)  # let the previous step's backlog (connections, outbox) settle
        step = await run_step(client, url, request, rate, step_seconds, cpu_pids=cpu_pids)
        steps.append(step)
        print(f"{label}{step.line()}", flush=True)
        return step

    rate = start_rate
    while rate <= ceiling:
        step = await attempt(rate)
        if not step.sustained:
            failed = rate
            break
        best = step
        rate *= factor
    while refinements > 0 and best is not None and failed is not None:
        refinements -= 1
        step = await attempt(math.sqrt(best.offered_rate * failed))
        if step.sustained:
            best = step
        else:
            failed = step.offered_rate
    return best, steps
