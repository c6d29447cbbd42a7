"""Where tests find Kafka and PostgreSQL.

Order of preference, for each of the two:
1. `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` (an admin URL) given from outside always win;
2. a Docker engine that answers: testcontainers;
3. otherwise the project's own no-Docker scripts in `deploy/local/` (instance "test": Kafka on
   127.0.0.1:19092, database `orderplatform_test`), stopped again only if this process started them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
LOCAL = REPO_ROOT / "deploy" / "local"
TEST_KAFKA_PORT = int(os.environ.get("TEST_KAFKA_PORT", "19092"))
TEST_DATABASE = "orderplatform_test"


def docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def _kafka_running(name: str) -> bool:
    status = subprocess.run([str(LOCAL / "kafka.sh"), "status", name], capture_output=True, timeout=10)
    return status.returncode == 0


@contextmanager
def kafka_bootstrap_servers() -> Iterator[str]:
    if given := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield given
        return
    if docker_engine_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as container:
            yield container.get_bootstrap_server()
        return
    started_here = not _kafka_running("test")
    _run(str(LOCAL / "kafka.sh"), "start", "test", str(TEST_KAFKA_PORT))
    try:
        yield f"127.0.0.1:{TEST_KAFKA_PORT}"
    finally:
        if started_here:
            _run(str(LOCAL / "kafka.sh"), "stop", "test")


@contextmanager
def postgres_admin_url() -> Iterator[str]:
    if given := os.environ.get("DATABASE_URL"):
        yield given
        return
    if docker_engine_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16", driver=None) as container:
            yield container.get_connection_url()
        return
    os.environ.setdefault("PLATFORM_PG_OWNER", "pytest")
    _run(str(LOCAL / "postgres.sh"), "start", TEST_DATABASE)
    yield _run(str(LOCAL / "postgres.sh"), "url", TEST_DATABASE)
