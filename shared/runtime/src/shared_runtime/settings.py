"""Settings every service shares, read from the environment (no I/O at import)."""

from typing import Literal

from pydantic_settings import SettingsConfigDict

from shared_db.settings import DatabaseSettings
from shared_messaging.settings import KafkaSettings


class ServiceSettings(DatabaseSettings, KafkaSettings):
    """Each service subclasses this with its own `service_name` and `http_port` defaults."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    service_name: str
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    log_level: str = "INFO"
    log_json: bool = True
    otel_traces_exporter: Literal["none", "otlp", "console", "file", "memory"] = "none"
    otel_exporter_otlp_endpoint: str | None = None
    otel_traces_file: str | None = None
    otel_trace_db_statements: bool = False
    """One span per SQL statement (asyncpg instrumentation): on in `make up` (`deploy/local/env.sh`),
    off by default because each span costs about as much client CPU as the statement itself
    (ADR 0016). Off, traces keep every HTTP and Kafka span."""
    run_migrations_on_start: bool = True
