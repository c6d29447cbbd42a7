"""`python -m inventory batch-window start|stop|status`: the nightly batch window by hand.

The state is in the database, so every replica sees it within BATCH_WINDOW_POLL_SECONDS (writes
check it in their own transaction at once).
"""

from __future__ import annotations

import argparse
import getpass
import json
import socket
from collections.abc import Sequence

import asyncpg

from inventory.config import Settings
from inventory.domain.batch_window import WindowState, parse_schedule
from inventory.entrypoints.cli.common import run_with_pool
from inventory.service_layer.batch_window import BatchWindow, WindowReport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m inventory batch-window", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a window now (until stopped)")
    start.add_argument("--reason", default="batch window started by hand")
    commands.add_parser("stop", help="end the window now (also the rest of a scheduled one)")
    status = commands.add_parser("status", help="whether a window is active, and the schedule")
    status.add_argument("--json", action="store_true")
    return parser


def _who() -> str:
    return f"{getpass.getuser()}@{socket.gethostname()}"


def _describe(state: WindowState) -> str:
    if not state.active:
        return "inactive: writes and Kafka consumers run"
    until = f" until {state.ends_at:%Y-%m-%d %H:%M} UTC" if state.ends_at else " until stopped"
    return f"active ({state.source}: {state.reason}) since {state.since:%Y-%m-%d %H:%M:%S} UTC{until}"


def _status(report: WindowReport, as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {
                "active": report.state.active,
                "source": report.state.source,
                "reason": report.state.reason,
                "since": report.state.since.isoformat() if report.state.since else None,
                "endsAt": report.state.ends_at.isoformat() if report.state.ends_at else None,
                "schedule": [str(window) for window in report.schedule],
                "nextScheduledStart": report.next_start.isoformat() if report.next_start else None,
            }
        )
    schedule = ", ".join(f"{window} UTC" for window in report.schedule) or "none (BATCH_WINDOW is empty)"
    following = f"; next scheduled start {report.next_start:%Y-%m-%d %H:%M} UTC" if report.next_start else ""
    return f"{_describe(report.state)}\nschedule: {schedule}{following}"


def batch_window_main(argv: Sequence[str]) -> int:
    arguments = _parser().parse_args(list(argv))
    settings = Settings()
    window = BatchWindow(parse_schedule(settings.batch_window))

    async def work(pool: asyncpg.Pool) -> str:
        if arguments.command == "status":
            return _status(await window.report(pool), arguments.json)
        async with pool.acquire() as conn, conn.transaction():
            if arguments.command == "start":
                return _describe(await window.start(conn, arguments.reason, _who()))
            return _describe(await window.stop(conn, _who()))

    output = run_with_pool(work, settings)
    if output is None:
        return 1
    print(output)
    return 0
