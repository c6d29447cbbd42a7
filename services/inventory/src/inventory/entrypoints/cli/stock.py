"""`python -m inventory stock receive|show`: receipts (and, with a negative quantity, issues)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from inventory.adapters.stock import Buckets, buckets
from inventory.entrypoints.cli.common import run_with_pool
from inventory.service_layer.data_loading import receive

BUCKETS = (
    "stock_on_hand",
    "transfer_reserved",
    "customer_reserved",
    "rtv",
    "non_sellable",
    "backorder",
    "available",
)


def _quantity(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m inventory stock", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    receive_command = commands.add_parser(
        "receive", help="add QTY to stock on hand (a physical warehouse: its primary virtual warehouse)"
    )
    receive_command.add_argument("item")
    receive_command.add_argument("location", type=int)
    receive_command.add_argument("quantity", type=_quantity, metavar="QTY")
    receive_command.add_argument("--uom", help="unit of measure of QTY (default: the item's standard one)")
    show = commands.add_parser("show", help="print the buckets of an item at a location")
    show.add_argument("item")
    show.add_argument("location", type=int)
    return parser


def _print(found: Buckets | None) -> int:
    if found is None:
        print("not ranged")
        return 1
    values = ", ".join(f"{name} {getattr(found, name).normalize():f}" for name in BUCKETS)
    print(f"{found.item}@{found.location} status {found.status}: {values}")
    return 0


def stock_main(argv: Sequence[str]) -> int:
    arguments = _parser().parse_args(list(argv))
    if arguments.command == "receive":
        received = run_with_pool(
            lambda pool: receive(pool, arguments.item, arguments.location, arguments.quantity, arguments.uom)
        )
        return 1 if received is None else _print(received)
    return _print(run_with_pool(lambda pool: buckets(pool, arguments.item, arguments.location)))
