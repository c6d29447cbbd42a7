"""Print one journey's trace as a tree, from spans exported to a JSON-lines file.

    python -m shared_observability.trace_tree var/traces/spans.jsonl <x-trace-id>

The x-trace-id is the value the caller sent (any string; mapped to the trace id the same way the
services map it) or a 32-hex trace id.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from shared_observability.propagation import trace_id_hex_for

Span = dict[str, Any]


def load_trace(path: Path, x_trace_id: str) -> list[Span]:
    trace_id = trace_id_hex_for(x_trace_id)
    spans = []
    with path.open() as lines:
        for line in lines:
            if line.strip():
                span = json.loads(line)
                if span.get("trace_id") == trace_id:
                    spans.append(span)
    return spans


def render(spans: Iterable[Span]) -> list[str]:
    """One line per span, children indented under their parent, siblings by start time."""
    spans = sorted(spans, key=lambda span: span["start_time_unix_nano"])
    ids = {span["span_id"] for span in spans}
    children: dict[str | None, list[Span]] = defaultdict(list)
    for span in spans:
        parent = span.get("parent_span_id")
        children[parent if parent in ids else None].append(span)
    start = spans[0]["start_time_unix_nano"] if spans else 0
    lines: list[str] = []

    def walk(span: Span, depth: int) -> None:
        offset_ms = (span["start_time_unix_nano"] - start) / 1e6
        duration_ms = (span["end_time_unix_nano"] - span["start_time_unix_nano"]) / 1e6
        status = "" if span["status"]["code"] in ("UNSET", "OK") else f"  [{span['status']['code']}]"
        lines.append(
            f"{'  ' * depth}{span['service']:<12} {span['name']}  "
            f"+{offset_ms:.1f}ms {duration_ms:.1f}ms{status}"
        )
        for child in children[span["span_id"]]:
            walk(child, depth + 1)

    for root in children[None]:
        walk(root, 0)
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    spans = load_trace(Path(argv[0]), argv[1])
    if not spans:
        print(f"no spans of trace {trace_id_hex_for(argv[1])} in {argv[0]}", file=sys.stderr)
        return 1
    print(f"trace {spans[0]['trace_id']} ({len(spans)} spans)")
    print("\n".join(render(spans)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
