"""A span per SQL statement is a setting: off unless asked for (its CPU cost, ADR 0016)."""

import pytest

from shared_runtime import service
from shared_runtime.settings import ServiceSettings


def settings(**values: object) -> ServiceSettings:
    return ServiceSettings(service_name="svc", otel_traces_exporter="memory", **values)  # type: ignore[arg-type]


def test_off_by_default_and_on_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACE_DB_STATEMENTS", raising=False)
    assert settings().otel_trace_db_statements is False
    monkeypatch.setenv("OTEL_TRACE_DB_STATEMENTS", "true")
    assert settings().otel_trace_db_statements is True


@pytest.mark.parametrize("enabled", [False, True])
def test_the_asyncpg_instrumentation_follows_the_setting(
    monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    instrumented: list[bool] = []
    monkeypatch.setattr(service, "setup_logging", lambda *args, **kwargs: None)  # process-wide
    monkeypatch.setattr(service, "setup_tracing", lambda *args, **kwargs: None)
    monkeypatch.setattr(service, "instrument_asyncpg", lambda: instrumented.append(True))
    service.observability(settings(otel_trace_db_statements=enabled))
    assert instrumented == ([True] if enabled else [])
