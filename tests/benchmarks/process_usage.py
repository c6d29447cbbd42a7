"""CPU and memory per process of a benchmark run (psutil), between two snapshots.

Groups are named: one pid each for the services, the bare endpoint and the Kafka broker, and all
processes named `postgres` together (a server is one process per connection). Memory is RSS, except
for PostgreSQL, whose processes share their buffers: there it is the sum of PSS (each shared page
counted once across them), so the figure is not inflated by the number of connections.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import psutil

MIB = 1024 * 1024
POSTGRES = "postgres"


def postgres_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == POSTGRES]


@dataclass(frozen=True)
class Snapshot:
    at: float
    cpu_s: dict[str, float]
    memory_bytes: dict[str, int]
    machine_busy_s: float
    """CPU seconds all cores spent busy since boot (every process on the machine)."""


class ProcessUsage:
    """Snapshots of named processes; `between` turns two into CPU shares and memory."""

    def __init__(self, pids: Callable[[], Mapping[str, int | None]]) -> None:
        self._pids = pids
        self._processes: dict[int, psutil.Process] = {}

    def _process(self, pid: int) -> psutil.Process:
        # One Process object per pid: psutil keeps its creation time, so a reused pid is noticed.
        if pid not in self._processes:
            self._processes[pid] = psutil.Process(pid)
        return self._processes[pid]

    def snapshot(self) -> Snapshot:
        cpu: dict[str, float] = {}
        memory: dict[str, int] = {}
        for name, pid in self._pids().items():
            if pid is None:
                continue
            try:
                process = self._process(pid)
                with process.oneshot():
                    times = process.cpu_times()
                    cpu[name] = times.user + times.system
                    memory[name] = process.memory_info().rss
            except psutil.Error:
                continue
        total_cpu, total_pss = 0.0, 0
        for process in postgres_processes():
            try:
                times = process.cpu_times()
                total_cpu += times.user + times.system
                total_pss += process.memory_full_info().pss
            except psutil.Error:
                continue
        cpu[POSTGRES] = total_cpu
        memory[POSTGRES] = total_pss
        times = psutil.cpu_times()
        busy = sum(times) - times.idle - getattr(times, "iowait", 0.0)
        return Snapshot(time.time(), cpu, memory, busy)

    @staticmethod
    def between(before: Snapshot, after: Snapshot) -> dict[str, Any]:
        """CPU in % of one core per process over the interval, memory (MiB) at its end."""
        seconds = max(1e-6, after.at - before.at)
        processes = {
            name: {
                "cpu_percent": round(100 * (after.cpu_s[name] - before.cpu_s.get(name, 0.0)) / seconds, 1),
                "memory_mib": round(after.memory_bytes.get(name, 0) / MIB, 1),
            }
            for name in after.cpu_s
        }
        return {
            "seconds": round(seconds, 2),
            "processes": processes,
            "machine_busy_percent_of_one_core": round(
                100 * (after.machine_busy_s - before.machine_busy_s) / seconds, 1
            ),
            "cores": os.cpu_count(),
            "load_average": [round(value, 2) for value in os.getloadavg()],
        }
