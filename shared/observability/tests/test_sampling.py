"""Statements of background loops make no traces; statements of an operation keep their spans."""

from __future__ import annotations

import asyncpg
from opentelemetry import trace

from shared_observability import instrument_asyncpg, setup_tracing
from shared_observability.testing import finished_spans


def test_the_platform_provider_uses_the_sampler() -> None:
    provider = setup_tracing("observability-tests", "memory")
    assert provider.sampler.get_description().startswith("OperationStatementsOnly{ParentBased")


async def test_a_statement_outside_any_operation_is_not_traced(pg_admin_url: str) -> None:
    setup_tracing("observability-tests", "memory")
    instrument_asyncpg()
    conn = await asyncpg.connect(pg_admin_url)
    try:
        await conn.fetchval("SELECT 1")  # a relay poll, a sweep, a probe
        assert finished_spans() == []

        with trace.get_tracer("test").start_as_current_span("handle message") as operation:
            async with conn.transaction():
                await conn.execute("CREATE TEMPORARY TABLE sampled (n integer)")
                async with conn.transaction():  # a savepoint
                    await conn.execute("INSERT INTO sampled VALUES (1)")
                await conn.fetchval("SELECT count(*) FROM sampled")
    finally:
        await conn.close()

    spans = finished_spans()
    assert [span.name for span in spans] == ["CREATE", "INSERT", "SELECT", "COMMIT;", "handle message"]
    trace_id = operation.get_span_context().trace_id
    assert {span.context.trace_id for span in spans if span.context is not None} == {trace_id}
