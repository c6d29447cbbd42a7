"""The fault suite's own PostgreSQL server and Kafka broker, each behind a fault-injecting proxy.

They are private to the suite because the suite restarts them: the machine's shared PostgreSQL
cluster and the `test`/`dev` brokers serve other runs. The PostgreSQL server is a fresh `initdb`
in the system's temporary directory (run as the `postgres` user when we are root, who may not be
able to enter the checkout), on a free port, removed at the end; the broker is
`deploy/local/kafka.sh` instance `FAULTS_KAFKA_NAME` (default `faults-suite`) on
`FAULTS_KAFKA_PORT`, its data wiped before and after.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO_ROOT / "deploy" / "local" / "kafka.sh"
PROXY_SCRIPT = Path(__file__).with_name("proxy.py")
ADMIN = "platform_admin"
DATABASE = "orderplatform_faults"


def _run(args: list[str], timeout: float = 180, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path is None:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package")
    return on_path


def private_postgres_dir() -> Path:
    """Where the suite's cluster lives: outside the checkout, whose parents the `postgres` user may
    not be allowed to enter (a clone in `mktemp -d` is 0700); /tmp is open to every user."""
    return Path(tempfile.gettempdir()) / f"orderplatform-faults-postgres-{os.getpid()}"


@dataclass
class PrivatePostgres:
    base: Path
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    def _as_owner(self, args: list[str]) -> list[str]:
        """PostgreSQL refuses to run as root: as root, run it as `postgres`."""
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def create(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)
        self.base.mkdir(parents=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        _run(
            self._as_owner([_postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"])
        )
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.base}'",
            "max_connections": 300,
            "shared_buffers": "'64MB'",
            # A process crash loses nothing without fsync (the OS keeps the pages); only a machine
            # crash would, and this cluster lives for one test run.
            "fsync": "off",
            "full_page_writes": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _ctl(self, *args: str) -> None:
        log = self.base / "server.log"
        _run(
            self._as_owner(
                [_postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "60", *args]
            )
        )

    def start(self) -> None:
        self._ctl("start")

    def crash_restart(self) -> None:
        """Immediate stop (no checkpoint, every session cut, crash recovery on start), then start."""
        self._ctl("stop", "-m", "immediate")
        self._ctl("start")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def superuser_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?sslmode=disable"

    def admin_url(self, port: int | None = None) -> str:
        return f"postgresql://{ADMIN}:{ADMIN}@127.0.0.1:{port or self.port}/{DATABASE}?sslmode=disable"


@dataclass
class PrivateKafka:
    name: str
    port: int
    advertised_port: int
    """The proxy's port: clients learn it from the broker's metadata, so all their traffic passes it."""

    @property
    def data(self) -> Path:
        return REPO_ROOT / "var" / "kafka" / self.name / "data"

    def _kafka_sh(self, *args: str) -> None:
        env = {**os.environ, "KAFKA_ADVERTISED_PORT": str(self.advertised_port)}
        _run([str(KAFKA_SH), *args], env=env)

    def start(self) -> None:
        self._kafka_sh("start", self.name, str(self.port))

    def stop(self) -> None:
        self._kafka_sh("stop", self.name)

    def restart(self) -> None:
        self.stop()
        self.start()

    def wipe(self) -> None:
        shutil.rmtree(self.data, ignore_errors=True)


class ProxyProcess:
    """`proxy.py` as a child process; `cut()` and `blackout()` signal it."""

    def __init__(self, listen_port: int, target_port: int, log: Path) -> None:
        self.listen_port = listen_port
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(PROXY_SCRIPT), str(listen_port), str(target_port)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_listening()

    def _wait_listening(self, seconds: float = 15) -> None:
        import socket

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"proxy on {self.listen_port} exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.listen_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"proxy on {self.listen_port} not listening within {seconds:g} s")

    def cut(self) -> None:
        self.process.send_signal(signal.SIGUSR1)

    def toggle_blackout(self) -> None:
        self.process.send_signal(signal.SIGUSR2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
