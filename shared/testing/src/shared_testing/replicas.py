"""Several processes (replicas) of one service, as Kubernetes would run a Deployment with replicas > 1.

`running_platform` starts one process per service; here each replica gets its own port, its own log
file (`<work_dir>/<service>-<n>.log`) and its own span file (`<work_dir>/<service>-<n>.spans.jsonl`),
so a test can tell which process did what. All replicas share the service's database and consumer
group, exactly as deployed replicas do.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from shared_testing.platform import Platform, _stop, _wait_ready, free_port


@dataclass
class Replica:
    name: str
    """`<service>-<n>`."""
    url: str
    process: subprocess.Popen[bytes]
    log_file: Path
    spans_file: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def spans(self) -> list[dict[str, Any]]:
        if not self.spans_file.exists():
            return []
        with self.spans_file.open() as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, the consumer does not leave its group, the lock's session dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def _spawn_replica(service: str, env: Mapping[str, str], log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", service], env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )


@asynccontextmanager
async def running_replicas(
    service: str,
    *,
    database_url: str,
    kafka_bootstrap: str,
    work_dir: Path,
    count: int = 2,
    extra_env: Mapping[str, str] | None = None,
    ready_seconds: float = 90.0,
) -> AsyncIterator[list[Replica]]:
    """Start `count` processes of `service`, one after the other (each applies the migrations on
    start, and Alembic does not serialize concurrent upgrades), each ready before the next starts.
    All are stopped (SIGTERM, then SIGKILL) when the block ends."""
    await asyncio.to_thread(work_dir.mkdir, parents=True, exist_ok=True)
    replicas: list[Replica] = []
    try:
        for index in range(1, count + 1):
            name = f"{service}-{index}"
            port = free_port()
            replica_env = {
                **os.environ,
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "DATABASE_URL": database_url,
                "HTTP_PORT": str(port),
                "OTEL_TRACES_EXPORTER": "file",
                "OTEL_TRACES_FILE": str(work_dir / f"{name}.spans.jsonl"),
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                **(extra_env or {}),
            }
            log_file = work_dir / f"{name}.log"
            process = await asyncio.to_thread(_spawn_replica, service, replica_env, log_file)
            replica = Replica(
                name, f"http://127.0.0.1:{port}", process, log_file, work_dir / f"{name}.spans.jsonl"
            )
            replicas.append(replica)
            await _wait_ready(replica.url, process, ready_seconds)
        yield replicas
    finally:
        await asyncio.to_thread(_stop, {replica.name: replica.process for replica in replicas})


@asynccontextmanager
async def service_paused(
    platform: Platform, service: str, *, ready_seconds: float = 90.0
) -> AsyncIterator[None]:
    """Stop `platform`'s process of `service` (SIGTERM: it leaves its consumer group and releases its
    relay lock) for the block, then start it again with the same environment, port and log file."""
    process = platform.processes[service]
    if process.poll() is not None:
        yield
        return
    # the exact environment it was given
    environ = await asyncio.to_thread(Path(f"/proc/{process.pid}/environ").read_bytes)
    env = dict(entry.split("=", 1) for entry in environ.decode().split("\0") if "=" in entry)
    await asyncio.to_thread(_stop, {service: process})
    try:
        yield
    finally:
        restarted = await asyncio.to_thread(_spawn_replica, service, env, platform.log_dir / f"{service}.log")
        platform.processes[service] = restarted  # the platform's teardown stops it
        await _wait_ready(platform.urls[service], restarted, ready_seconds)


@dataclass(frozen=True)
class GroupMember:
    member_id: str
    client_host: str
    partitions: dict[str, list[int]]
    """Assigned partitions per topic."""


async def group_members(bootstrap: str, group_id: str) -> tuple[str, list[GroupMember]]:
    """The consumer group's state (`Stable`, `Empty`, `PreparingRebalance`, ...) and its members
    with their assigned partitions, as the group coordinator reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await asyncio.wait_for(admin.start(), 15)
    try:
        responses = await asyncio.wait_for(admin.describe_consumer_groups([group_id]), 15)
    finally:
        await asyncio.wait_for(admin.close(), 10)
    for response in responses:
        for group in response.to_object()["groups"]:
            if group["group"] != group_id:
                continue
            members = []
            for member in group["members"]:
                raw = member["member_assignment"]
                assignment = ConsumerProtocolMemberAssignment.decode(raw) if raw else None
                partitions = {
                    topic: sorted(parts) for topic, parts in (assignment.assignment if assignment else [])
                }
                members.append(GroupMember(member["member_id"], member["client_host"], partitions))
            return group["state"], members
    return "Dead", []
