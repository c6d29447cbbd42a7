"""Open-model HTTP load with vegeta: fixed arrival rates, one target per request, per-request results.

Why vegeta (github.com/tsenart/vegeta, pinned below): a Python driver on two shared cores saturates
at about 200-250 requests/s, so it measured itself, not the servers. vegeta is a constant-rate
attacker written in Go: request i is sent at t0 + i / rate whatever happened to the earlier ones
(it adds workers when all are busy), so a slow server shows up as latency, never as a lower offered
rate (no coordinated omission). Each attack reads its targets lazily from a file in vegeta's JSON
target format, one line per request, so bodies and ids differ per request and every target is sent
exactly once; the results are read back per request with `vegeta encode -to json`.

The binary is built from the Go module proxy into var/bin/ when missing (`go install`, Go is on
the machine), or taken from $VEGETA.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench_support import REPO_ROOT, summarize_ms

VEGETA_MODULE = "github.com/tsenart/vegeta/v12"
VEGETA_VERSION = "v12.13.0"
NO_MORE_TARGETS = "no targets to attack"  # vegeta's result after the last target of a lazy file

# A rate is sustained when at least this share of it completes successfully and p99 stays below the bound.
ACHIEVED_SHARE = 0.95
P99_BOUND_MS = 1000.0


def vegeta_binary() -> Path:
    """$VEGETA, else var/bin/vegeta-<version>/vegeta, installed with `go install` when missing."""
    if given := os.environ.get("VEGETA"):
        return Path(given)
    bin_dir = Path(os.environ.get("PLATFORM_VAR", REPO_ROOT / "var")) / "bin" / f"vegeta-{VEGETA_VERSION}"
    binary = bin_dir / "vegeta"
    if binary.exists():
        return binary
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists() else None)
    if go is None:
        sys.exit("vegeta is missing and Go is not installed: install Go, or set VEGETA to a vegeta binary")
    print(f"installing vegeta {VEGETA_VERSION} into {bin_dir} (go install) ...", flush=True)
    bin_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [go, "install", f"{VEGETA_MODULE}@{VEGETA_VERSION}"],
        env={**os.environ, "GOBIN": str(bin_dir), "GOFLAGS": "-buildvcs=false"},
        check=True,
        timeout=600,
    )
    return binary


@dataclass(frozen=True)
class Target:
    """One request: vegeta's JSON target (body base64-encoded, each header a list of values)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json_line(self) -> str:
        target: dict[str, Any] = {
            "method": self.method,
            "url": self.url,
            "header": {name: [value] for name, value in self.headers.items()},
        }
        if self.body:
            target["body"] = base64.b64encode(self.body).decode()
        return json.dumps(target)


@dataclass(frozen=True)
class Hit:
    """One request's result: start (epoch seconds), latency, status code (0 = no answer), the
    answer's echoed x-trace-id (how a result is matched to its target) and body."""

    started: float
    latency_s: float
    code: int
    error: str
    trace_id: str
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300 and not self.error

    @property
    def ended(self) -> float:
        return self.started + self.latency_s

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Attack:
    """What one attack at a fixed rate measured."""

    name: str
    offered_rate: float
    hits: list[Hit]
    driver_cpu_s: float = 0.0
    usage: dict[str, Any] = field(default_factory=dict)
    """CPU and memory per process during the attack (filled by the caller's sampler)."""

    @property
    def ok_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if hit.ok]

    def by_trace_id(self) -> dict[str, Hit]:
        """The successful answers by the x-trace-id their target sent (and the server echoed)."""
        return {hit.trace_id: hit for hit in self.hits if hit.ok and hit.trace_id}

    @property
    def span_s(self) -> float:
        """From the first request's start to the last answer (at least the schedule's length)."""
        if not self.hits:
            return 0.0
        first = min(hit.started for hit in self.hits)
        last = max(hit.ended for hit in self.hits)
        return max(len(self.hits) / self.offered_rate, last - first)

    @property
    def achieved_rate(self) -> float:
        return len(self.ok_hits) / self.span_s if self.hits else 0.0

    @property
    def latency(self) -> dict[str, Any]:
        """Percentiles of the successful requests; failures rank above them (see summarize_ms)."""
        ok = self.ok_hits
        return summarize_ms([hit.latency_s for hit in ok], missing=len(self.hits) - len(ok))

    @property
    def errors(self) -> dict[str, int]:
        kinds = Counter(
            (f"HTTP {hit.code}" if hit.code else hit.error.split(":")[-1].strip()[:60])
            for hit in self.hits
            if not hit.ok
        )
        return dict(kinds.most_common(6))

    @property
    def sustained(self) -> bool:
        p99 = self.latency.get("p99_ms")
        return (
            self.achieved_rate >= ACHIEVED_SHARE * self.offered_rate
            and p99 is not None
            and p99 <= P99_BOUND_MS
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.name,
            "offered_rate": round(self.offered_rate, 1),
            "requests": len(self.hits),
            "ok": len(self.ok_hits),
            "achieved_rate": round(self.achieved_rate, 1),
            "sustained": self.sustained,
            "latency": self.latency,
            "errors": self.errors,
            "driver_cpu_percent_of_one_core": round(100 * self.driver_cpu_s / self.span_s, 1)
            if self.span_s
            else None,
            "usage": self.usage,
        }

    def line(self) -> str:
        latency = self.latency

        def ms(key: str) -> str:
            value = latency.get(key)
            return "> run" if value is None else f"{value:.1f}"

        errors = f"  errors {sum(self.errors.values())} {self.errors}" if self.errors else ""
        return (
            f"  {self.name:<34} offered {self.offered_rate:7.1f}/s  achieved {self.achieved_rate:7.1f}/s  "
            f"p50/p95/p99 {ms('p50_ms')}/{ms('p95_ms')}/{ms('p99_ms')} ms{errors}"
        )


def vegeta_rate(rate: float) -> str:
    """vegeta's -rate takes whole hits per period: 12.5/s is written 12500/1000s."""
    if rate == int(rate):
        return f"{int(rate)}/1s"
    return f"{round(rate * 1000)}/1000s"


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _hits(encoded: Iterable[str], keep_bodies: bool) -> list[Hit]:
    hits = []
    for line in encoded:
        result = json.loads(line)
        if result["error"] == NO_MORE_TARGETS:
            continue
        hits.append(
            Hit(
                started=datetime.fromisoformat(result["timestamp"]).timestamp(),
                latency_s=result["latency"] / 1e9,
                code=result["code"],
                error=result["error"],
                trace_id=(result.get("headers") or {}).get("X-Trace-Id", [""])[0],
                body=base64.b64decode(result["body"]) if keep_bodies and result.get("body") else b"",
            )
        )
    return hits


async def attack(
    name: str,
    targets: Sequence[Target],
    rate: float,
    *,
    timeout_s: float = 10.0,
    keep_bodies: bool = False,
) -> Attack:
    """Send every target once, at `rate` per second (vegeta, open model); the per-request results.

    Results come back in completion order: match them to targets by x-trace-id (`by_trace_id`)."""
    binary = vegeta_binary()
    with tempfile.TemporaryDirectory(prefix="vegeta-") as work:
        targets_file = Path(work) / "targets.jsonl"
        results_file = Path(work) / "results.bin"
        targets_file.write_text("".join(target.json_line() + "\n" for target in targets))
        cpu_before = _children_cpu_s()
        command = [
            str(binary),
            "attack",
            "-format=json",
            "-lazy",
            f"-targets={targets_file}",
            f"-rate={vegeta_rate(rate)}",
            "-duration=0",  # until the lazy file is exhausted: every target exactly once
            f"-timeout={timeout_s:g}s",
            f"-max-body={-1 if keep_bodies else 0}",
            f"-name={name}",
            f"-output={results_file}",
        ]
        process = await asyncio.create_subprocess_exec(*command, stderr=asyncio.subprocess.PIPE)
        _, stderr = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"vegeta attack failed ({process.returncode}): {stderr.decode()[-500:]}")
        encode = await asyncio.create_subprocess_exec(
            str(binary), "encode", "-to=json", str(results_file), stdout=asyncio.subprocess.PIPE
        )
        encoded, _ = await encode.communicate()
        driver_cpu = _children_cpu_s() - cpu_before
    hits = _hits(encoded.decode().splitlines(), keep_bodies)
    return Attack(name=name, offered_rate=rate, hits=hits, driver_cpu_s=driver_cpu)
