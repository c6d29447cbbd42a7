from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from shared_observability import (
    current_x_trace_id,
    flush_tracing,
    memory_exporter,
    setup_tracing,
)
from shared_observability.testing import finished_spans


def test_setup_tracing_is_idempotent() -> None:
    first = setup_tracing("observability-tests", "memory")
    second = setup_tracing("observability-tests", "memory")
    third = setup_tracing("other-name", "none")
    assert first is second is third is trace.get_tracer_provider()
    assert isinstance(first, TracerProvider)
    processors_before = len(first._active_span_processor._span_processors)
    setup_tracing("observability-tests", "memory")
    assert len(first._active_span_processor._span_processors) == processors_before

    with trace.get_tracer("test").start_as_current_span("once"):
        pass
    assert [span.name for span in finished_spans()] == ["once"]
    # The first call in the process named the service; later calls (any name) keep it.
    assert (
        memory_exporter().get_finished_spans()[0].resource.attributes["service.name"]
        == (first.resource.attributes["service.name"])
    )


def test_unknown_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown trace exporter"):
        setup_tracing("svc", "jaeger")
    with pytest.raises(ValueError, match="file_path"):
        setup_tracing("svc", "file")


def test_span_without_x_trace_id_gets_its_trace_id_as_attribute() -> None:
    with trace.get_tracer("test").start_as_current_span("background job") as span:
        expected = format(span.get_span_context().trace_id, "032x")
        assert current_x_trace_id() == expected
    [finished] = finished_spans()
    assert (finished.attributes or {})["x_trace_id"] == expected
    assert current_x_trace_id() is None


_SERVICE = """
import sys
from opentelemetry import trace
from shared_observability import setup_tracing

path = sys.argv[1]
setup_tracing("enrichment", "file", file_path=path)
setup_tracing("enrichment", "file", file_path=path)
tracer = trace.get_tracer("service")
with tracer.start_as_current_span("parent"), tracer.start_as_current_span("child"):
    pass
# no explicit flush: the provider's exit hook must write the batch
"""


def test_file_exporter_via_setup_tracing(tmp_path: Path) -> None:
    path = tmp_path / "traces" / "spans.jsonl"
    subprocess.run([sys.executable, "-c", _SERVICE, str(path)], check=True, timeout=60)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["name"] for line in lines] == ["child", "parent"]  # once despite two setups
    child, parent = lines
    assert child["trace_id"] == parent["trace_id"]
    assert child["parent_span_id"] == parent["span_id"]
    assert parent["parent_span_id"] is None
    assert child["service"] == "enrichment"
    assert child["kind"] == "INTERNAL"
    assert child["attributes"]["x_trace_id"] == child["trace_id"]
    assert child["status"] == {"code": "UNSET", "description": None}
    assert child["start_time_unix_nano"] <= child["end_time_unix_nano"]


def test_flush_tracing_succeeds() -> None:
    assert flush_tracing()


_WORKER = """
import sys
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from shared_observability import JsonLinesFileSpanExporter

path, worker = sys.argv[1], sys.argv[2]
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(JsonLinesFileSpanExporter(path)))
tracer = provider.get_tracer("worker")
for index in range(200):
    with tracer.start_as_current_span(f"w{worker}-{index}") as span:
        span.set_attribute("padding", "x" * 3000)
"""


def test_several_processes_append_whole_lines(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.jsonl")
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, path, str(worker)]) for worker in range(4)]
    for process in workers:
        assert process.wait(timeout=60) == 0
    lines = Path(path).read_text().splitlines()
    assert len(lines) == 800
    names = {json.loads(line)["name"] for line in lines}
    assert len(names) == 800
