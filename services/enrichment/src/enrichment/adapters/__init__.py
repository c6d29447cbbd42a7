"""PostgreSQL repositories (asyncpg, the service's own schema) and the appointment service client."""
