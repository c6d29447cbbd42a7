"""Database settings read from the environment (no I/O at import)."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class DatabaseSettings(BaseSettings):
    """`DATABASE_URL` is the service's own login; its schema is the service's name."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = "postgresql://localhost/orderplatform"
    db_pool_min_size: int = 2
    db_pool_max_size: int = 10
    db_connect_timeout_seconds: float = 5.0
    db_command_timeout_seconds: float = 10.0
    db_statement_timeout_ms: int = 10_000
