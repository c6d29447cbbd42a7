"""The benchmark tooling: vegeta sends every target once with its own body and the answers come
back matched to their targets; failures never flatter a percentile; the report's files are written.
(Figures themselves are printed by the benchmarks, never asserted.)"""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from load_tool import Attack, Hit, Target, attack
from report_output import write_report, write_soak_report


class Echo(BaseHTTPRequestHandler):
    """Answers 200 with the request body and the x-trace-id; a body "fail" gets a 500."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        self.send_response(500 if body == b'"fail"' else 200)
        self.send_header("x-trace-id", self.headers["x-trace-id"])
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def echo_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/echo"
    finally:
        server.shutdown()
        server.server_close()


def targets(url: str, bodies: list[str]) -> list[Target]:
    return [
        Target(
            "POST", url, {"x-trace-id": f"t-{n}", "content-type": "application/json"}, json.dumps(b).encode()
        )
        for n, b in enumerate(bodies)
    ]


async def test_every_target_is_sent_once_and_answers_match_their_targets(echo_url: str) -> None:
    bodies = [f"order-{n}" for n in range(30)]

    result = await attack("echo", targets(echo_url, bodies), rate=62.5, keep_bodies=True)

    assert len(result.hits) == 30
    answers = result.by_trace_id()
    assert sorted(answers) == sorted(f"t-{n}" for n in range(30))
    assert all(answers[f"t-{n}"].json() == body for n, body in enumerate(bodies))
    assert result.errors == {}


async def test_failed_requests_count_and_rank_above_every_latency(echo_url: str) -> None:
    bodies = ["ok"] * 9 + ["fail"]

    result = await attack("echo", targets(echo_url, bodies), rate=50)

    assert len(result.ok_hits) == 9
    assert result.errors == {"HTTP 500": 1}
    assert result.latency["p99_ms"] is None  # falls among the failures: "> run", not a number
    assert result.latency["p50_ms"] is not None


RUN = {
    "started_at": "2026-01-01T00:00:00+00:00",
    "machine": {
        "nproc": 2,
        "cpu_model": "test CPU",
        "memory_gib": 4.0,
        "kernel": "6.0",
        "python": "3.11",
        "postgresql_version": "15",
        "postgresql_synchronous_commit": "on",
        "kafka_version": "4.1",
    },
    "vegeta": "v12.13.0",
    "load_before": [0.5, 0.5, 0.5],
}
"""What a report says about the run's machine (synthetic)."""


def synthetic_row(operation: str, group: str, rate: float, baseline: str | None) -> dict[str, Any]:
    hits = [
        Hit(started=1000.0 + n / rate, latency_s=0.002 * (n + 1), code=200, error="", trace_id="", body=b"")
        for n in range(10)
    ]
    usage = {
        "processes": {"gateway": {"cpu_percent": 12.0, "memory_mib": 120.0}},
        "machine_busy_percent_of_one_core": 80.0,
    }
    return {"group": group, "baseline": baseline, **Attack(operation, rate, hits, usage=usage).as_dict()}


def test_the_report_is_written_as_markdown_png_and_json(tmp_path: Path) -> None:
    memory = {"processes": {"gateway": {"cpu_percent": 0.0, "memory_mib": 100.0}}}
    report = {
        **RUN,
        "finished_at": "2026-01-01T00:10:00+00:00",
        "load_during": [1.0, 2.0],
        "load_after": [1.0, 1.0, 1.0],
        "parameters": {"dates_rate": 200.0},
        "memory_at_start": memory,
        "memory_at_end": memory,
        "rows": [
            synthetic_row("bare FastAPI + asyncpg insert", "baseline", 10, None),
            synthetic_row("create order", "distributor journeys", 10, "bare FastAPI + asyncpg insert"),
        ],
    }

    write_report(report, tmp_path)

    text = (tmp_path / "README.md").read_text()
    assert "| distributor journeys | create order | 10 | " in text
    assert "mean 1-minute load average of 1.5" in text
    assert (tmp_path / "latency.png").read_bytes().startswith(b"\x89PNG")
    assert json.loads((tmp_path / "results.json").read_text())["rows"][1]["operation"] == "create order"


def test_the_soak_report_shows_memory_growth_and_p99_per_minute(tmp_path: Path) -> None:
    from soak import _p99_per_minute

    def hits(start: float, latency_s: float, failed: int = 0) -> list[Hit]:
        ok = [Hit(start + n, latency_s, 200, "", "", b"") for n in range(20)]
        return ok + [Hit(start + 20 + n, 10.0, 0, "timeout", "", b"") for n in range(failed)]

    attacks = [
        Attack("create order", 1.0, hits(0, 0.010)),
        Attack("create order", 1.0, hits(130, 0.020)),
        Attack("submit", 1.0, hits(60, 0.030, failed=5)),
    ]
    report = {
        **RUN,
        "finished_at": "2026-01-01T00:03:00+00:00",
        "load_during": [1.0],
        "load_after": [1.0, 1.0, 1.0],
        "parameters": {},
        "soak": {
            "rate": 1.0,
            "minutes": 3,
            "requests": 65,
            "failed": 5,
            "memory": [{"minute": 0.0, "gateway": 100.0}, {"minute": 3.0, "gateway": 112.0}],
            "p99_per_minute": _p99_per_minute(attacks, started=0.0),
        },
    }

    write_soak_report(report, tmp_path)

    text = (tmp_path / "soak.md").read_text()
    assert "| gateway | 100 | 112 | +12 |" in text
    assert "| create order | 10.0 | - | 20.0 | 2.0x |" in text
    assert "| submit | - | > run | - | - |" in text
    assert (tmp_path / "soak.png").read_bytes().startswith(b"\x89PNG")


def test_perf_counts_are_read_from_perf_stat_csv():
    from bench_instructions import Counts, parse_perf_csv

    text = (
        "# started on Mon Nov 24 12:00:00 2026\n\n"
        "2987654321,,instructions:u,1000,100.00,,\n"
        "4382.51,msec,task-clock,4382510000,100.00,0.438,CPUs utilized\n"
        "3000000000,,cycles:u,1000,100.00,0.69,GHz\n"
        "1000000000,,cycles:k,1000,100.00,0.23,GHz\n"
    )
    counts = parse_perf_csv(text)
    assert counts == Counts(2987654321.0, 4382.51, user_cycles=3e9, kernel_cycles=1e9)
    assert counts.kernel_share == 0.25
    net = counts.minus(Counts(987654321.0, 382.51, 1e9, 1e9)).per(1000)
    assert net == Counts(2_000_000.0, 4.0, 2e6, 0.0)
    assert net.plus(net) == Counts(4_000_000.0, 8.0, 4e6, 0.0)
    assert parse_perf_csv("<not counted>,,instructions:u,0,0.00,,\n") == Counts()
