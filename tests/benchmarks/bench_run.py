"""One benchmark run's bookkeeping: every measured attack with its group, baseline and the CPU and
memory of each process during it, printed as it finishes."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from load_tool import Attack, Target, attack
from open_model import run_open_model
from process_usage import ProcessUsage

from shared_runtime.heap import freeze_heap


@dataclass
class Row:
    group: str
    attack: Attack
    baseline: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "baseline": self.baseline, **self.attack.as_dict()}


@dataclass
class Run:
    usage: ProcessUsage
    timeout_s: float = 10.0
    rows: list[Row] = field(default_factory=list)
    load_samples: list[float] = field(default_factory=list)
    """The 1-minute load average after each attack (the machine's load during the run)."""
    quiet_percent: float | None = None
    """Machine CPU (% of one core) under which the platform counts as idle (`calibrate`)."""
    quiet_max_s: float = 120.0
    settle_waits: list[float] = field(default_factory=list)
    """Seconds each attack waited for the previous one's backlog (consumers, relays) to drain."""

    async def _busy_percent(self, seconds: float) -> float:
        before = self.usage.snapshot()
        await asyncio.sleep(seconds)
        busy: float = ProcessUsage.between(before, self.usage.snapshot())["machine_busy_percent_of_one_core"]
        return busy

    async def calibrate(self) -> None:
        """Measure the idle platform (Kafka polling, relays, sweepers) once, before any load."""
        idle = await self._busy_percent(3.0)
        self.quiet_percent = idle + 15.0
        print(f"   idle platform: {idle:.0f} % of one core; a step starts below {self.quiet_percent:.0f} %")

    async def settle(self) -> None:
        """Wait, bounded, until the work a previous step left (Kafka backlogs, outboxes) is done,
        so that each step measures its own load, not the tail of the last one."""
        # The driver times Kafka outcomes itself: no full collection over everything it has
        # gathered so far may stall it mid-step (shared_runtime.heap).
        freeze_heap()
        if self.quiet_percent is None:
            return
        started = time.monotonic()
        while time.monotonic() - started < self.quiet_max_s:
            if await self._busy_percent(1.0) < self.quiet_percent:
                break
        waited = time.monotonic() - started
        self.settle_waits.append(round(waited, 1))
        if waited > 2.5:
            print(f"   (waited {waited:.0f} s for the previous step's backlog to drain)", flush=True)

    def _record(self, group: str | None, attack_: Attack, baseline: str | None) -> Attack:
        self.load_samples.append(os.getloadavg()[0])
        if group is not None:
            self.rows.append(Row(group, attack_, baseline))
        print(attack_.line(), flush=True)
        return attack_

    async def http(
        self,
        group: str | None,
        name: str,
        targets: Sequence[Target],
        rate: float,
        *,
        keep_bodies: bool = False,
        baseline: str | None = None,
    ) -> Attack:
        """A vegeta attack; `group` None: set-up traffic, printed but not in the report."""
        await self.settle()
        before = self.usage.snapshot()
        result = await attack(name, targets, rate, timeout_s=self.timeout_s, keep_bodies=keep_bodies)
        result.usage = ProcessUsage.between(before, self.usage.snapshot())
        return self._record(group, result, baseline)

    async def in_process(
        self,
        group: str,
        name: str,
        rate: float,
        count: int,
        call: Callable[[int], Awaitable[None]],
        *,
        baseline: str | None = None,
    ) -> Attack:
        await self.settle()
        before = self.usage.snapshot()
        result = await run_open_model(name, rate, count, call, timeout_s=self.timeout_s)
        result.usage = ProcessUsage.between(before, self.usage.snapshot())
        return self._record(group, result, baseline)

    def add(self, group: str, result: Attack, baseline: str | None = None) -> Attack:
        """A figure measured otherwise (end to end on Kafka)."""
        return self._record(group, result, baseline)

    def find(self, name: str, rate: float) -> Attack | None:
        for row in self.rows:
            if row.attack.name == name and abs(row.attack.offered_rate - rate) < 1e-6:
                return row.attack
        return None


async def find_max_rate(
    run: Run,
    name: str,
    targets: Callable[[int], Sequence[Target]],
    *,
    start_rate: float,
    seconds: float,
    factor: float = 1.5,
    refinements: int = 2,
    ceiling: float = 5_000.0,
) -> tuple[Attack | None, list[Attack]]:
    """Step the offered rate up by `factor` until it is not sustained (achieved < 95 % of offered
    or p99 > 1 s) or `ceiling`, then bisect (geometrically) `refinements` times between the last
    sustained and the first failed rate. The highest sustained attack (None if even `start_rate`
    was not) and every attack run. `targets(n)` gives n fresh requests."""
    steps: list[Attack] = []
    best: Attack | None = None
    failed: float | None = None

    async def attempt(rate: float) -> Attack:
        result = await run.http(None, f"{name} (max-rate search)", targets(round(rate * seconds)), rate)
        steps.append(result)
        return result

    rate = start_rate
    while rate <= ceiling:
        result = await attempt(rate)
        if not result.sustained:
            failed = rate
            break
        best = result
        rate *= factor
    while refinements > 0 and best is not None and failed is not None:
        refinements -= 1
        result = await attempt((best.offered_rate * failed) ** 0.5)
        if result.sustained:
            best = result
        else:
            failed = result.offered_rate
    return best, steps
