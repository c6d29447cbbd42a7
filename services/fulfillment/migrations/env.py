from shared_db.migrations import run_alembic_env

run_alembic_env()
