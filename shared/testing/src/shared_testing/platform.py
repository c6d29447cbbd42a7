"""The platform as real processes (`python -m <service>`), for end-to-end and cross-service tests.

Each service gets its own database role, the test broker, a free port and the file span exporter
(one JSON-lines file for all), so a test can follow one request through every process.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SERVICES = ("gateway", "enrichment", "appointment", "inventory", "fulfillment")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Platform:
    urls: dict[str, str]
    spans_file: Path
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    envs: dict[str, dict[str, str]] = field(default_factory=dict)
    """Each service's environment, so a process can be started again exactly as before."""

    def spans(self) -> list[dict[str, Any]]:
        if not self.spans_file.exists():
            return []
        with self.spans_file.open() as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def log(self, service: str) -> str:
        return (self.log_dir / f"{service}.log").read_text(errors="replace")

    def kill(self, service: str) -> None:
        """SIGKILL: no graceful shutdown, nothing flushed, the consumer does not leave its group."""
        process = self.processes[service]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def freeze(self, service: str) -> None:
        """SIGSTOP: the process keeps its sockets but neither polls nor heartbeats until `thaw`."""
        self.processes[service].send_signal(signal.SIGSTOP)

    def thaw(self, service: str) -> None:
        self.processes[service].send_signal(signal.SIGCONT)

    async def restart(self, service: str, ready_seconds: float = 90.0) -> None:
        """Start the service again (after `kill`) with the same environment, port and log file."""
        if self.processes[service].poll() is None:
            raise RuntimeError(f"{service} is still running")
        self.processes[service] = await asyncio.to_thread(
            _spawn_one, service, self.envs[service], self.log_dir, "ab"
        )
        await _wait_ready(self.urls[service], self.processes[service], ready_seconds)


async def _wait_ready(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    async with httpx.AsyncClient(timeout=2) as client:
        while loop.time() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url} exited with {process.returncode}")
            try:
                if (await client.get(f"{url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} not ready within {seconds:g} s")


def _spawn_one(service: str, env: Mapping[str, str], work_dir: Path, mode: str) -> subprocess.Popen[bytes]:
    with (work_dir / f"{service}.log").open(mode) as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", service], env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )


def _spawn(
    services: Sequence[str], envs: Mapping[str, Mapping[str, str]], work_dir: Path
) -> dict[str, subprocess.Popen[bytes]]:
    work_dir.mkdir(parents=True, exist_ok=True)
    return {service: _spawn_one(service, envs[service], work_dir, "wb") for service in services}


def _stop(processes: Mapping[str, subprocess.Popen[bytes]], seconds: float = 20.0) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a frozen process cannot act on SIGTERM
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@asynccontextmanager
async def running_platform(
    *,
    database_urls: Mapping[str, str],
    kafka_bootstrap: str,
    work_dir: Path,
    services: Sequence[str] = SERVICES,
    extra_env: Mapping[str, str] | None = None,
    ready_seconds: float = 90.0,
) -> AsyncIterator[Platform]:
    ports = {service: free_port() for service in services}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    platform = Platform(urls=urls, spans_file=work_dir / "spans.jsonl", log_dir=work_dir)
    common = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "OTEL_TRACES_EXPORTER": "file",
        "OTEL_TRACES_FILE": str(platform.spans_file),
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        **{f"{service.upper()}_URL": url for service, url in urls.items()},
        **(extra_env or {}),
    }
    platform.envs = {
        service: {**common, "DATABASE_URL": database_urls[service], "HTTP_PORT": str(ports[service])}
        for service in services
    }
    try:
        platform.processes = await asyncio.to_thread(_spawn, services, platform.envs, work_dir)
        await asyncio.gather(*(_wait_ready(urls[s], platform.processes[s], ready_seconds) for s in services))
        yield platform
    finally:
        await asyncio.to_thread(_stop, platform.processes)
