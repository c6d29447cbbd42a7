"""PostgreSQL access shared by every service: pools, per-service roles and schemas, migrations."""

from shared_db.pool import create_pool
from shared_db.settings import DatabaseSettings
from shared_db.unavailable import DATABASE_UNAVAILABLE_ERRORS

__all__ = ["DATABASE_UNAVAILABLE_ERRORS", "DatabaseSettings", "create_pool"]
