"""PostgreSQL access shared by every service: pools, per-service roles and schemas, migrations."""

from shared_db.pool import create_pool
from shared_db.settings import DatabaseSettings

__all__ = ["DatabaseSettings", "create_pool"]
