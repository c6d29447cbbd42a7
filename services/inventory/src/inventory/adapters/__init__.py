"""PostgreSQL access of the inventory service (asyncpg, plain SQL, the service's own schema)."""
