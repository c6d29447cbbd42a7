"""Soak: steady distributor journeys for minutes; memory per process and p99 per minute.

Rounds of journeys run back to back at the soak rate (every stage of a round at that rate, as in
the report); after each round the processes' memory is sampled. Latencies are grouped by the
minute their request started in, so drift shows as a p99 that grows from minute to minute, and a
leak as memory that keeps growing after the first minutes (caches and pools fill early).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bench_run import Run
from bench_support import percentile
from journeys import END_TO_END, STAGES, Distributor, run_journeys
from kafka_watch import Outcomes
from load_tool import Attack, Target
from open_model import observed

ROUND_SECONDS_PER_STAGE = 8.0


async def run_soak(
    run: Run, distributor: Distributor, outcomes: Outcomes, rate: float, minutes: float
) -> dict[str, Any]:
    print(f"\n== soak: {rate:g} journeys/s for {minutes:g} min", flush=True)
    started = time.time()
    deadline = started + 60 * minutes
    memory: list[dict[str, Any]] = [{"minute": 0.0, **_memory(run)}]
    attacks: list[Attack] = []

    async def attacker(name: str, targets: Sequence[Target], at: float, keep: bool) -> Attack:
        return await run.http(None, name, targets, at, keep_bodies=keep)

    while time.time() < deadline:
        stage_attacks, submitted, _ = await run_journeys(
            attacker, distributor, outcomes, rate, max(1, round(rate * ROUND_SECONDS_PER_STAGE))
        )
        attacks += stage_attacks
        if submitted:
            attacks.append(observed(END_TO_END, rate, submitted, outcomes.confirmed, error="not CONFIRMED"))
        memory.append({"minute": round((time.time() - started) / 60, 2), **_memory(run)})
    return {
        "rate": rate,
        "minutes": minutes,
        "p99_per_minute": _p99_per_minute(attacks, started),
        "memory": memory,
        "requests": sum(len(a.hits) for a in attacks),
        "failed": sum(len(a.hits) - len(a.ok_hits) for a in attacks),
    }


def _memory(run: Run) -> dict[str, float]:
    snapshot = run.usage.snapshot()
    return {name: round(value / 1024 / 1024, 1) for name, value in snapshot.memory_bytes.items()}


def _p99_per_minute(attacks: Sequence[Attack], started: float) -> dict[str, list[dict[str, Any]]]:
    """Operation -> per minute of the soak: requests started in it, how many failed, and their p99
    (ms; None when it falls among the failures, which rank above every latency)."""
    buckets: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for attack in attacks:
        for hit in attack.hits:
            minute = int((hit.started - started) // 60)
            buckets[attack.name][minute].append(hit.latency_s if hit.ok else float("inf"))
    minutes = 1 + max((m for per_minute in buckets.values() for m in per_minute), default=-1)
    table: dict[str, list[dict[str, Any]]] = {}
    for operation in (*STAGES, END_TO_END):
        per_minute = buckets.get(operation, {})
        cells = []
        for minute in range(minutes):
            ranked = sorted(per_minute.get(minute, []))
            p99 = percentile(ranked, 0.99) if ranked else None
            cells.append(
                {
                    "requests": len(ranked),
                    "failed": sum(1 for value in ranked if value == float("inf")),
                    "p99_ms": None if p99 is None or p99 == float("inf") else round(1000 * p99, 1),
                }
            )
        table[operation] = cells
    return table
