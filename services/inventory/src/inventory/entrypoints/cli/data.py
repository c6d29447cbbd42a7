"""`python -m inventory data load|demo|generate`: foundation data from files, the demo set, and
large generated sets for benchmarks."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from inventory.entrypoints.cli.common import run_with_pool
from inventory.service_layer.data_generator import GeneratedSet, write_set
from inventory.service_layer.data_loading import load_demo, load_files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m inventory data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load CSV or JSON files (all or nothing)")
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    commands.add_parser("demo", help="load the demo set (idempotent)")
    generate = commands.add_parser("generate", help="write a large set as CSV files")
    generate.add_argument("--items", type=int, required=True)
    generate.add_argument("--locations", type=int, required=True)
    generate.add_argument("--out", type=Path, required=True, metavar="DIR")
    generate.add_argument("--seed", type=int, default=7)
    return parser


def _report(counts: dict[str, int] | None) -> int:
    if counts is None:
        return 1
    print(", ".join(f"{name}: {count}" for name, count in counts.items()) or "nothing to load")
    return 0


def data_main(argv: Sequence[str]) -> int:
    arguments = _parser().parse_args(list(argv))
    if arguments.command == "load":
        paths = list(arguments.paths)
        return _report(run_with_pool(lambda pool: load_files(pool, paths)))
    if arguments.command == "demo":
        return _report(run_with_pool(load_demo))
    if arguments.items < 1 or arguments.locations < 2:
        print("error: --items must be at least 1 and --locations at least 2")
        return 2
    counts = write_set(GeneratedSet(arguments.items, arguments.locations, arguments.seed), arguments.out)
    print(f"wrote {arguments.out}: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))
    return 0
