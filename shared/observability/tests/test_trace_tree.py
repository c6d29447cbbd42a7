"""The trace printer finds a journey's spans by x-trace-id and nests them under their parents."""

import json
from pathlib import Path

from shared_observability.propagation import trace_id_hex_for
from shared_observability.trace_tree import load_trace, main, render


def span(span_id: str, parent: str | None, service: str, name: str, start_ms: int, trace_id: str) -> dict:
    return {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "name": name,
        "kind": "INTERNAL",
        "service": service,
        "start_time_unix_nano": start_ms * 1_000_000,
        "end_time_unix_nano": (start_ms + 5) * 1_000_000,
        "attributes": {},
        "status": {"code": "UNSET", "description": None},
    }


def write(path: Path, spans: list[dict]) -> None:
    path.write_text("".join(json.dumps(s) + "\n" for s in spans))


def test_spans_of_one_x_trace_id_render_as_a_tree(tmp_path: Path, capsys) -> None:
    trace = trace_id_hex_for("journey-1")
    other = trace_id_hex_for("journey-2")
    spans = [
        span("c" * 16, "b" * 16, "appointment", "orders.order.v1 process", 30, trace),
        span("a" * 16, None, "gateway", "POST /api/v1/order", 0, trace),
        span("b" * 16, "a" * 16, "enrichment", "POST /api/v1/order", 10, trace),
        span("d" * 16, None, "gateway", "GET /api/v1/orders", 0, other),
    ]
    file = tmp_path / "spans.jsonl"
    write(file, spans)

    loaded = load_trace(file, "journey-1")
    assert {s["service"] for s in loaded} == {"gateway", "enrichment", "appointment"}
    lines = render(loaded)
    assert lines[0].startswith("gateway")
    assert lines[1].startswith("  enrichment")
    assert lines[2].startswith("    appointment")

    assert main([str(file), "journey-1"]) == 0
    assert "(3 spans)" in capsys.readouterr().out
    assert main([str(file), "unknown"]) == 1
