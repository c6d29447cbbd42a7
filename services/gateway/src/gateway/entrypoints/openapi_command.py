"""`python -m gateway openapi --out docs/api/openapi.json [--check]`"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.entrypoints.http.openapi import openapi_document, render


def openapi_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gateway openapi", description="Write the OpenAPI document."
    )
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    parser.add_argument("--check", action="store_true", help="only report whether --out is current")
    args = parser.parse_args(list(argv))
    text = render(openapi_document())
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        if not current:
            print(
                f"{args.out} is out of date; run: python -m gateway openapi --out {args.out}", file=sys.stderr
            )
        return 0 if current else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0
