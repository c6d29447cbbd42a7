"""A span exporter writing one JSON object per finished span per line to a shared file.

Several local processes (the five services under `make up`) may append to the same file: each
batch is written with one `O_APPEND` file descriptor under an exclusive `flock`, whole lines only,
so lines from different processes never interleave.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.resources import SERVICE_NAME
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

_logger = logging.getLogger(__name__)


def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    """The JSON-line form of a finished span."""
    context = span.get_span_context()
    parent = span.parent
    return {
        "trace_id": format(context.trace_id, "032x") if context else None,
        "span_id": format(context.span_id, "016x") if context else None,
        "parent_span_id": format(parent.span_id, "016x") if parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get(SERVICE_NAME),
        "start_time_unix_nano": span.start_time,
        "end_time_unix_nano": span.end_time,
        "attributes": dict(span.attributes or {}),
        "status": {"code": span.status.status_code.name, "description": span.status.description},
    }


class JsonLinesFileSpanExporter(SpanExporter):
    """Appends finished spans as JSON lines to `path` (created with its directory if missing)."""

    def __init__(self, path: str) -> None:
        self.path = self.normalize_path(path)
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)

    @staticmethod
    def normalize_path(path: str) -> str:
        return os.path.abspath(os.path.expanduser(path))

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if not spans:
            return SpanExportResult.SUCCESS
        payload = "".join(
            json.dumps(span_to_dict(span), default=str, separators=(",", ":")) + "\n" for span in spans
        ).encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            finally:
                os.close(fd)  # also releases the lock
        except OSError:
            _logger.exception("could not append spans to %s", self.path)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release: the file is opened per batch."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
