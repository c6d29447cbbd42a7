"""A service whose start fails (here: no Kafka broker answers) exits instead of lingering unready:
its supervisor (Kubernetes, supervisord) restarts it, and nothing it started keeps it alive."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from shared_testing.platform import free_port


async def test_a_service_that_cannot_reach_kafka_at_start_exits_with_an_error(
    service_db_urls: dict[str, str], tmp_path
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": service_db_urls["appointment"],
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # nothing listens there
        "KAFKA_START_TIMEOUT_SECONDS": "3",
        "HTTP_PORT": str(free_port()),
        "OTEL_TRACES_EXPORTER": "none",
    }
    log = tmp_path / "appointment.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "appointment", env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            code = await asyncio.wait_for(process.wait(), timeout=120)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert code != 0, log.read_text()
    assert "startup failed" in log.read_text().lower(), log.read_text()
