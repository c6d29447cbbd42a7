"""PostgreSQL access of the gateway's own schema (asyncpg, plain SQL)."""
