"""The messaging benchmark's table: its figures next to the targets, and the printed report.

Turns the results of `bench_relay.py` and `bench_latency.py` (as `bench_messaging.py` collects them)
into rows of figure, measured value, target and verdict. The targets are informational: nothing is
asserted.
"""

from __future__ import annotations

from typing import Any

from bench_relay import RelayPhases

RELAY_TARGET_EVENTS_PER_S = 5_000
LATENCY_TARGET_P99_MS = 50.0
LATENCY_TARGET_RATE = 500


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def relay_rate_row(label: str, rate: int) -> tuple[str, str, str, str]:
    """A relay throughput against issue 2's target."""
    return (
        label,
        f"{rate:,} ev/s",
        f">= {RELAY_TARGET_EVENTS_PER_S:,}/s",
        verdict(rate >= RELAY_TARGET_EVENTS_PER_S),
    )


def detail(label: str, value: str) -> tuple[str, str, str, str]:
    """A figure under a headline row, with no target of its own."""
    return (f"  {label}", value, "", "")


def figures_table(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    if prefilled := results.get("relay_prefilled"):
        rows += [
            relay_rate_row(
                f"relay, pre-filled outbox ({prefilled['events']:,} events)", prefilled["events_per_s"]
            ),
            detail("after the first batch", f"{prefilled['events_per_s_after_first_batch']:,} ev/s"),
            detail("relay process CPU", cpu_share(prefilled["cpu"], "benchmark process")),
            detail("relay CPU per event", per_event(prefilled, "benchmark process")),
            detail("per batch: fetch / send+ack / delete", phase_line(prefilled["relay_phases"])),
        ]
    if continuous := results.get("relay_continuous"):
        rows += [
            relay_rate_row(
                f"relay, {continuous['backlog']:,} backlog + {continuous['writers']} writers",
                continuous["events_per_s_until_caught_up"],
            ),
            detail("(until caught up with the writers)", f"{continuous['seconds_to_catch_up']:.1f} s"),
            detail("writers committed (1 event/transaction)", f"{continuous['write_events_per_s']:,} ev/s"),
            detail(
                "outbox rows after catching up (max)", f"{continuous['max_outbox_rows_after_catching_up']:,}"
            ),
            detail("overall, relay start to drained", f"{continuous['events_per_s']:,} ev/s"),
            detail("relay process CPU", cpu_share(continuous["cpu"], "benchmark process")),
            detail("writers process CPU", cpu_share(continuous["cpu"], "writers process")),
            detail(
                "CPU per event: relay / writers",
                per_event(continuous, "benchmark process", "writers process"),
            ),
            detail("per batch: fetch / send+ack / delete", phase_line(continuous["relay_phases"])),
        ]
    if latency := results.get("latency"):
        rows.extend(latency_rows(latency))
    return rows


def ms(summary: dict[str, Any], *names: str) -> str:
    """`p50 / p99` style cells; a percentile among events never handled shows as "unfinished"."""
    if not summary.get("count") and not summary.get("missing"):
        return "-"
    values = [summary.get(f"{name}_ms") for name in names]
    return " / ".join("unfinished" if value is None else f"{value:.1f}" for value in values) + " ms"


def latency_rows(latency: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    c2h = latency["commit_to_handler"]
    p99 = c2h.get("p99_ms")
    if latency["target_rate_per_s"] != LATENCY_TARGET_RATE:
        result = "n/a (other rate)"
    else:
        result = verdict(p99 is not None and p99 <= LATENCY_TARGET_P99_MS)
    rows = [
        (f"commit -> handler at {latency['target_rate_per_s']:g}/s, p50", ms(c2h, "p50"), "", ""),
        ("  p95", ms(c2h, "p95"), "", ""),
        ("  p99", ms(c2h, "p99"), f"<= {LATENCY_TARGET_P99_MS:g} ms @ {LATENCY_TARGET_RATE}/s", result),
        ("  max", ms(c2h, "max"), "", ""),
        (
            "intended start -> handler p50 / p99 / max",
            ms(latency["intended_to_handler"], "p50", "p99", "max"),
            "(coordinated omission)",
            "",
        ),
        (
            "  of which commit -> Kafka ack p50 / p99",
            ms(latency["commit_to_kafka_ack"], "p50", "p99"),
            "(relay)",
            "",
        ),
        (
            "  of which Kafka ack -> handler p50 / p99",
            ms(latency["kafka_ack_to_handler"], "p50", "p99"),
            "(consumer)",
            "",
        ),
        ("  write transaction p50 / p99", ms(latency["write_transaction"], "p50", "p99"), "", ""),
        (
            "  achieved commit / handler rate",
            f"{latency['achieved_commit_rate_per_s']} / {latency['achieved_handler_rate_per_s']} /s",
            "",
            "",
        ),
        (
            "  scheduled / committed / handled",
            f"{latency['scheduled']:,} / {latency['committed']:,} / {latency['handled']:,}",
            "",
            "",
        ),
    ]
    if latency["write_errors"]:
        kinds = ", ".join(f"{kind} x{count}" for kind, count in latency["write_error_kinds"].items())
        rows.append(("  failed writes", f"{latency['write_errors']:,} ({kinds})", "", ""))
    rows.append(("  consumer process CPU", cpu_share(latency["cpu"], "consumer process"), "", ""))
    rows.append(
        (
            "  CPU per event: writers+relay / consumer",
            per_event(latency, "benchmark process", "consumer process"),
            "",
            "",
        )
    )
    for label, timing in latency.get("consumer_timings_all_messages", {}).items():
        rows.append((f"  consumer: {label} p50 / p99", ms(timing, "p50", "p99"), "", ""))
    return rows


def per_event(result: dict[str, Any], *names: str) -> str:
    values = [result.get("cpu_ms_per_event", {}).get(name) for name in names]
    if None in values:
        return "-"
    return " / ".join(f"{value:.2f}" for value in values) + " ms"


def phase_line(phases: dict[str, Any]) -> str:
    values = [phases.get(f"{phase}_ms_per_batch") for phase in RelayPhases.PHASES.values()]
    if None in values:
        return "-"
    return " / ".join(f"{value:.1f}" for value in values) + f" ms ({phases['batches']} batches)"


def cpu_share(cpu: dict[str, Any], name: str) -> str:
    value = cpu["cpu_percent_of_one_core"].get(name)
    machine = cpu["machine_busy_percent_of_all_cores"]
    if value is None:
        return "-"
    text = f"{value:.0f} % of a core (machine {machine:.0f} % busy"
    if (stalled := cpu.get("cpu_pressure_some_percent")) is not None:
        text += f", CPU pressure {stalled:.0f} %"
    return text + ")"


def print_report(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print()
    print(f"Messaging benchmark, {report['started_at']}")
    print(
        f"machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"Kafka {machine['kafka_version']}, PostgreSQL {machine['postgresql_version']} "
        f"(synchronous_commit={machine['postgresql_synchronous_commit']}), Python {machine['python']}"
    )
    print(f"load before: {report['uptime_before']}")
    print(f"load after:  {report['uptime_after']}")
    print("parameters: " + ", ".join(f"{key}={value}" for key, value in report["parameters"].items()))
    rows = [("figure", "measured", "target", "result"), *figures_table(report["results"])]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    print()
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))
    for name, result in report["results"].items():
        if "verification" in result and not result["verification"]["ok"]:
            print(f"\nWARNING: {name}: verification failed: {result['verification']}")
    print(
        "\nCPU shares are % of one core; CPU pressure (Linux PSI 'some') is the share of the time at least"
        "\none runnable task waited for a CPU. Targets are informational (a shared, noisy 2-core machine);"
        "\nnothing is asserted."
    )
    print(f"JSON: {report['json_path']}")
