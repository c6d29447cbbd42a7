"""Which spans are recorded: database statements that belong to no operation are not.

Background loops (outbox relay polls, hold sweeps, the batch-window check, outbox lag sampling,
pool resets, readiness probes) run SQL with no request or message around it. The asyncpg
instrumentation makes each such statement the root of a one-span trace of its own: measured on an
idle `make up`, about 20 a second across the five services, each created, encoded and exported in the service
process, and a trace store where the traces of real work drown. A statement inside a traced
operation keeps its span, except the transaction openers (`BEGIN`, `SAVEPOINT`, `RELEASE`), which
take microseconds and say nothing the enclosing span and its `COMMIT` do not.

Everything else is decided by the sampler configured the standard way (`OTEL_TRACES_SAMPLER`,
default: parent-based, always on).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from opentelemetry.context import Context
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, get_current_span
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

DB_SYSTEM_ATTRIBUTES: Final = ("db.system", "db.system.name")
"""Set at span creation by the database instrumentations (old and new semantic conventions)."""

TRANSACTION_OPENERS: Final = frozenset({"BEGIN", "SAVEPOINT", "RELEASE"})


class OperationStatementsOnly(Sampler):
    """Drops database spans without a parent and transaction-opener spans; `delegate` decides
    the rest."""

    def __init__(self, delegate: Sampler) -> None:
        self._delegate = delegate

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if attributes and any(key in attributes for key in DB_SYSTEM_ATTRIBUTES):
            parent = get_current_span(parent_context).get_span_context()
            if not parent.is_valid or name.rstrip(";").upper() in TRANSACTION_OPENERS:
                return SamplingResult(Decision.DROP, trace_state=parent.trace_state)
        return self._delegate.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"OperationStatementsOnly{{{self._delegate.get_description()}}}"
