"""The report's files: Markdown tables (printed too), a PNG of latency vs offered load, the JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

PROCESSES = (
    "gateway",
    "enrichment",
    "appointment",
    "inventory",
    "fulfillment",
    "bare_app",
    "postgres",
    "kafka",
    "bench driver",
)
GROUPS = ("baseline", "distributor journeys", "OMS", "issue figures")


def _ms(value: float | None) -> str:
    return "> run" if value is None else f"{value:.1f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _baseline_row(rows: Sequence[dict[str, Any]], name: str | None, rate: float) -> dict[str, Any] | None:
    for row in rows:
        if row["group"] == "baseline" and row["operation"] == name and abs(row["offered_rate"] - rate) < 0.05:
            return row
    return None


def _ratio(value: float | None, base: float | None) -> str:
    if value is None or not base:
        return "-"
    return f"{value / base:.1f}x"


def results_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    body = []
    for row in rows:
        latency = row["latency"]
        base = _baseline_row(rows, row["baseline"], row["offered_rate"])
        base_latency = base["latency"] if base else {}
        errors = sum(row["errors"].values())
        body.append(
            [
                row["group"],
                row["operation"],
                f"{row['offered_rate']:g}",
                f"{row['achieved_rate']:.1f}",
                _ms(latency.get("p50_ms")),
                _ms(latency.get("p95_ms")),
                _ms(latency.get("p99_ms")),
                f"{errors}/{row['requests']}" if errors else "0",
                row["baseline"] or "-",
                _ratio(latency.get("p50_ms"), base_latency.get("p50_ms")),
                _ratio(latency.get("p99_ms"), base_latency.get("p99_ms")),
                _ratio(row["achieved_rate"], base["achieved_rate"] if base else None),
            ]
        )
    header = (
        "group",
        "operation",
        "offered/s",
        "achieved/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "failed",
        "matching baseline (same offered rate)",
        "p50 x",
        "p99 x",
        "throughput x",
    )
    return _table(header, body)


def cpu_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    body = []
    for row in rows:
        usage = row.get("usage") or {}
        processes = usage.get("processes", {})
        cells = [f"{processes[name]['cpu_percent']:.0f}" if name in processes else "-" for name in PROCESSES]
        driver = row.get("driver_cpu_percent_of_one_core")
        body.append(
            [
                f"{row['operation']} @ {row['offered_rate']:g}/s",
                *cells,
                "-" if driver is None or not driver else f"{driver:.0f}",
                f"{usage['machine_busy_percent_of_one_core']:.0f}" if usage else "-",
            ]
        )
    cores = next((row["usage"].get("cores") for row in rows if row.get("usage")), None) or 1
    return _table(("step", *PROCESSES, "vegeta", f"machine busy (all cores = {100 * cores})"), body)


def memory_table(report: dict[str, Any]) -> list[str]:
    start = report["memory_at_start"]["processes"]
    end = report["memory_at_end"]["processes"]
    body = [
        [
            name,
            f"{start[name]['memory_mib']:.0f}" if name in start else "-",
            f"{end[name]['memory_mib']:.0f}" if name in end else "-",
            f"{end[name]['memory_mib'] - start[name]['memory_mib']:+.0f}"
            if name in start and name in end
            else "-",
        ]
        for name in PROCESSES
    ]
    return _table(("process", "MiB at start", "MiB at end", "growth"), body)


def _find(
    rows: Sequence[dict[str, Any]], operation: str, rate: float | None = None, group: str | None = None
) -> dict[str, Any] | None:
    for row in rows:
        if row["operation"] != operation or (group and row["group"] != group):
            continue
        if rate is None or abs(row["offered_rate"] - rate) < 0.05:
            return row
    return None


def _p99(row: dict[str, Any] | None) -> float | None:
    return None if row is None else row["latency"].get("p99_ms")


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "NOT met")


def _rate(value: float | None) -> str:
    return "-" if not value else f"{value:.0f}"


def _max_rate_row(
    issue: str, figure: str, service: float | None, bare: float | None, target: float
) -> list[str]:
    ratio = service / bare if bare and service else None
    shown = "-" if ratio is None else f"{100 * ratio:.0f} %"
    return [
        issue,
        figure,
        f"{_rate(service)} / {_rate(bare)} req/s = {shown}",
        f">= {100 * target:.0f} %",
        _verdict(None if ratio is None else ratio >= target),
    ]


def _p99_row(issue: str, figure: str, p99: float | None, target_ms: float, note: str = "") -> list[str]:
    return [
        issue,
        figure,
        f"{_ms(p99)} ms{note}",
        f"<= {target_ms:g} ms",
        _verdict(p99 is not None and p99 <= target_ms),
    ]


def issue_table(report: dict[str, Any]) -> list[str]:
    rows = report["rows"]
    issues = report.get("issues", {})
    body: list[list[str]] = []
    if three := issues.get("issue 3"):
        figure = "create order max sustainable rate / bare FastAPI + insert"
        body.append(
            _max_rate_row("3", figure, three["create_order_max_rate"], three["bare_insert_max_rate"], 0.40)
        )
        # "p99 <= 50 ms at half that rate": half the rate the create path sustains (ADR 0023).
        if own := three.get("create_order_at_half_own_max"):
            figure = f"create order p99 at half its max sustainable rate ({own['offered_rate']:g}/s)"
            note = f" (achieved {own['achieved_rate']:.0f}/s)"
            body.append(_p99_row("3", figure, own["latency"].get("p99_ms"), 50, note))
        half = three["create_order_at_half_bare"]
        p99 = half["latency"].get("p99_ms")
        figure = f"(information) create order p99 at half the bare rate ({half['offered_rate']:g}/s)"
        note = f" (achieved {half['achieved_rate']:.0f}/s)"
        body.append(["3", figure, f"{_ms(p99)} ms{note}", "-", "-"])
    dates_rate = report["parameters"]["dates_rate"]
    if dates := _find(rows, "get dates", dates_rate, "issue figures"):
        body.append(_p99_row("4", f"get dates p99 at {dates_rate:g}/s (gateway)", _p99(dates), 30))
    if availability := _find(rows, "availability (gateway)", 200.0):
        bare = _p99(_find(rows, "bare FastAPI + availability query", 200.0, "baseline"))
        figure = "availability p99 at 200/s (gateway); bare query endpoint p99 at 200/s"
        body.append(_p99_row("5", figure, _p99(availability), 25, f"; bare {_ms(bare)} ms"))
    if five := issues.get("issue 5"):
        figure = "availability max sustainable rate / bare FastAPI + query"
        body.append(
            _max_rate_row("5", figure, five["availability_max_rate"], five["bare_query_max_rate"], 0.50)
        )
    if end_to_end := _find(rows, "submit -> CONFIRMED (Kafka)", 20.0):
        body.append(_p99_row("6", "submit -> CONFIRMED p99 at 20 journeys/s", _p99(end_to_end), 250))
    if two := issues.get("issue 2"):
        relay = two["relay_events_per_s"]
        body.append(
            [
                "2",
                f"outbox relay, {two['relay_events']:,} events pre-filled",
                f"{relay:,} events/s",
                ">= 5,000/s",
                _verdict(relay >= 5000),
            ]
        )
        handled = two["achieved_handler_rate_per_s"] or 0
        figure = f"commit -> handler p99 at 500 events/s (handled {handled:.0f}/s)"
        body.append(_p99_row("2", figure, two["commit_to_handler_at_500"].get("p99_ms"), 50))
    return _table(("issue", "figure", "measured", "target", "result"), body)


def machine_lines(report: dict[str, Any]) -> list[str]:
    machine = report["machine"]
    during = report.get("load_during") or [0.0]
    return [
        f"- Date: {report['started_at']} to {report['finished_at']} (UTC)",
        f"- CPU: {machine['nproc']} cores, {machine['cpu_model']}; RAM {machine['memory_gib']} GiB; "
        f"kernel {machine['kernel']}",
        f"- Python {machine['python']}; PostgreSQL {machine['postgresql_version']} "
        f"(synchronous_commit={machine['postgresql_synchronous_commit']}); Kafka {machine['kafka_version']}; "
        f"load tool vegeta {report['vegeta']}",
        "- Load average (1 min): before {:.2f}; during the run mean {:.2f}, max {:.2f}; after {:.2f}".format(
            report["load_before"][0], sum(during) / len(during), max(during), report["load_after"][0]
        ),
        "- Parameters: "
        + ", ".join(f"{k}={v}" for k, v in report["parameters"].items() if k != "output_dir"),
    ]


METHOD = """\
Method. Everything runs on this one machine: the five services as processes (`python -m <service>`,
rate limit off), PostgreSQL, one Kafka broker, the bare baseline app, and the load tool. HTTP load
is vegeta at a constant arrival rate (open model: request i is sent at t0 + i/rate whatever
happened to earlier ones, so a slow server shows as latency, not as a lower offered rate), one
target per request with its own body and x-trace-id. The bare asyncpg insert, the bare Kafka
produce and the Kafka command are timed in the benchmark process on the same kind of fixed clock,
latency from each call's due time. A failed or unanswered request counts above every latency
(a percentile that falls among them shows `> run`). Journey stages run one after the other at the
journey rate, each on the journeys the previous stage succeeded for; submit -> CONFIRMED runs from
the submit request's start to the order's OrderStatusChanged (CONFIRMED) read from Kafka.
Before every step the run waits (at most 2 minutes) until the machine is back near the idle
platform's CPU, so a step does not measure the backlog the previous one left on Kafka.
Ratios compare with the matching baseline at the same offered rate (p50 x: latency multiple).
CPU is % of one core during the step (postgres: all processes of the server, every database on
it; its memory is the sum of PSS). Figures are printed, nothing is asserted; on a shared machine
read them with the load average above."""


def markdown(report: dict[str, Any]) -> str:
    lines = ["# Benchmark report", ""]
    if report.get("label"):
        lines += [f"> {report['label']}", ""]
    lines += ["Generated by `make bench` (`tests/benchmarks/bench_report.py`).", "", "## Machine", ""]
    lines += machine_lines(report)
    lines += ["", "## Targets of the issues", "", *issue_table(report), ""]
    lines += ["## Throughput and latency per operation", "", "![latency vs offered load](latency.png)", ""]
    lines += [*results_table(report["rows"]), ""]
    lines += ["## CPU per process (% of one core) per step", "", *cpu_table(report["rows"]), ""]
    lines += ["## Memory per process", "", *memory_table(report), ""]
    lines += ["## Method", "", METHOD, ""]
    return "\n".join(lines)


def plot(rows: Sequence[dict[str, Any]], path: Path, ceiling_ms: float) -> None:
    """p99 (solid) and p50 (dashed) per operation vs offered rate, one panel per group; a
    percentile that fell among failed requests is drawn at `ceiling_ms` (the timeout) as a triangle."""
    groups: dict[str, dict[str, list[tuple[float, float | None, float | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        group = "distributor journeys" if row["group"] == "issue figures" else row["group"]
        if row["operation"].startswith(("availability", "backorder", "fulfillment")):
            group = "OMS"
        latency = row["latency"]
        groups[group][row["operation"]].append(
            (row["offered_rate"], latency.get("p50_ms"), latency.get("p99_ms"))
        )
    shown = [group for group in GROUPS if group in groups]
    figure, axes = plt.subplots(1, max(1, len(shown)), figsize=(6 * max(1, len(shown)), 5), squeeze=False)
    for axis, group in zip(axes[0], shown, strict=False):
        for number, (operation, points) in enumerate(sorted(groups[group].items())):
            points.sort()
            color = f"C{number % 10}"
            rates = [p[0] for p in points]
            for index, style, extra in ((2, "o-", {"label": f"{operation} p99"}), (1, "x--", {"alpha": 0.6})):
                values = [ceiling_ms if p[index] is None else p[index] for p in points]
                axis.plot(rates, values, style, color=color, **extra)
                failed = [
                    (rate, ceiling_ms) for rate, p in zip(rates, points, strict=True) if p[index] is None
                ]
                if failed:
                    axis.plot(*zip(*failed, strict=True), "^", color=color, markersize=9)
        axis.set_title(f"{group} (solid p99, dashed p50; triangle: failed / > timeout)")
        axis.set_xlabel("offered load (requests/s)")
        axis.set_ylabel("latency (ms)")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_report(report: dict[str, Any], output_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    report["label"] = _label(report)
    text = markdown(report)
    if (output_dir / "soak.md").exists():
        text += "\nThe last soak run (`make bench-soak`): [soak.md](soak.md).\n"
    (output_dir / "README.md").write_text(text)
    plot(report["rows"], output_dir / "latency.png", 1000 * report["parameters"].get("timeout", 10.0))
    (output_dir / "results.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
    print()
    print(text)
    print(
        f"\nwritten: {output_dir / 'README.md'}, {output_dir / 'latency.png'}, {output_dir / 'results.json'}"
    )


def _label(report: dict[str, Any]) -> str:
    during = report.get("load_during") or [0.0]
    load, cores = sum(during) / len(during), report["machine"]["nproc"]
    label = (
        f"Measured {report['started_at']} on a {cores}-core machine with a mean "
        f"1-minute load average of {load:.1f} during the run."
    )
    if load > 2 * cores:
        label += (
            " The machine was overloaded (other work shared its cores): these figures measure that"
            " contention, not the platform. Rerun `make bench` on a quiet machine."
        )
    return label


def write_soak_report(report: dict[str, Any], output_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    soak = report["soak"]
    memory = soak["memory"]
    first, last = memory[0], memory[-1]
    processes = [name for name in PROCESSES if name in first]
    lines = ["# Soak report", "", f"> {_label(report)}", "", "## Machine", "", *machine_lines(report), ""]
    lines += [
        f"Steady journeys at {soak['rate']:g}/s for {soak['minutes']:g} minutes: "
        f"{soak['requests']:,} requests, {soak['failed']:,} failed.",
        "",
    ]
    lines += ["## Memory growth per process (MiB)", ""]
    lines += _table(
        ("process", "start", "end", "growth"),
        [
            [
                name,
                f"{first[name]:.0f}",
                f"{last.get(name, 0):.0f}",
                f"{last.get(name, 0) - first[name]:+.0f}",
            ]
            for name in processes
        ],
    )
    per_minute = soak["p99_per_minute"]
    minutes = max((len(cells) for cells in per_minute.values()), default=0)

    def cell(entry: dict[str, Any]) -> str:
        return "-" if not entry["requests"] else _ms(entry["p99_ms"])

    def drift(cells: list[dict[str, Any]]) -> str:
        measured = [entry["p99_ms"] for entry in cells if entry["requests"]]
        return _ratio(measured[-1], measured[0]) if len(measured) > 1 else "-"

    lines += ["", "## p99 per minute (ms; `-`: no request of it started that minute)", ""]
    lines += _table(
        ("operation", *(f"min {m + 1}" for m in range(minutes)), "drift (last / first measured)"),
        [[operation, *(cell(e) for e in cells), drift(cells)] for operation, cells in per_minute.items()],
    )
    lines += ["", "![soak](soak.png)", ""]
    text = "\n".join(lines)
    (output_dir / "soak.md").write_text(text)
    (output_dir / "soak.json").write_text(json.dumps(report, indent=1, default=str) + "\n")
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    for operation, cells in soak["p99_per_minute"].items():
        left.plot(range(1, len(cells) + 1), [entry["p99_ms"] for entry in cells], "o-", label=operation)
    left.set_title("p99 per minute")
    left.set_xlabel("minute")
    left.set_ylabel("ms")
    left.set_yscale("log")
    left.legend(fontsize=7)
    for name in processes:
        right.plot([m["minute"] for m in memory], [m.get(name) for m in memory], "o-", label=name)
    right.set_title("memory per process (MiB; postgres: PSS)")
    right.set_xlabel("minute")
    right.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(output_dir / "soak.png", dpi=110)
    plt.close(figure)
    print(text)
