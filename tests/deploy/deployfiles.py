"""Reading the deploy files the way their tools do, for the offline checks in this folder.

The checks compare the deploy files with the code they run (the services' settings classes,
the workspace members, `shared_db.provision`), so a renamed setting, a new service or a new
workspace member fails a test instead of a `docker compose up` on someone's laptop.
"""

from __future__ import annotations

import importlib
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"
COMPOSE_DIR = REPO_ROOT / "deploy" / "compose"


# ---------------------------------------------------------------------------------------------
# The platform's services and the environment they read


def service_names() -> tuple[str, ...]:
    """services/<name>/ with a pyproject.toml: the platform's services."""
    return tuple(
        sorted(p.name for p in (REPO_ROOT / "services").iterdir() if (p / "pyproject.toml").is_file())
    )


def workspace_manifests() -> list[str]:
    """Every workspace member's pyproject.toml, relative to the repository root."""
    paths = [*REPO_ROOT.glob("shared/*/pyproject.toml"), *REPO_ROOT.glob("services/*/pyproject.toml")]
    return sorted(str(p.relative_to(REPO_ROOT)) for p in paths)


def settings_class(service: str) -> type[BaseSettings]:
    """`<service>.config.Settings`, what a service's process reads from its environment."""
    cls = importlib.import_module(f"{service}.config").Settings
    assert issubclass(cls, BaseSettings)
    return cls


def env_names(cls: type[BaseSettings]) -> dict[str, str]:
    """Environment variable name -> field name, as pydantic-settings reads them (no prefix)."""
    names: dict[str, str] = {}
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        if alias is None:
            names[name.upper()] = name
        elif isinstance(alias, str):
            names[alias.upper()] = name
        else:  # AliasChoices
            for choice in alias.choices:
                if isinstance(choice, str):
                    names[choice.upper()] = name
    return names


# ---------------------------------------------------------------------------------------------
# Compose: variables, environment, commands

_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, environment: dict[str, str] | None = None) -> str:
    """Compose's variable syntax: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
    `${VAR:?error}`. Without `environment` every variable is unset, so the defaults apply."""
    env = environment or {}

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        present = name in env
        if op == ":-":
            return env[name] if present and env[name] else arg
        if op == "-":
            return env[name] if present else arg
        if op in (":?", "?"):
            if not present or (op == ":?" and not env[name]):
                raise ValueError(f"${{{name}}} is required: {arg}")
            return env[name]
        return env.get(name, "")

    return _VARIABLE.sub(replace, value)


def interpolate_all(node: Any, environment: dict[str, str] | None = None) -> Any:
    """`interpolate` applied to every string of a loaded YAML document."""
    if isinstance(node, str):
        return interpolate(node, environment)
    if isinstance(node, list):
        return [interpolate_all(item, environment) for item in node]
    if isinstance(node, dict):
        return {key: interpolate_all(value, environment) for key, value in node.items()}
    return node


def environment_of(service: dict[str, Any]) -> dict[str, str | None]:
    """A compose service's `environment` as a mapping (list or mapping syntax)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        result: dict[str, str | None] = {}
        for item in env:
            key, sep, value = str(item).partition("=")
            result[key] = value if sep else None
        return result
    return {key: None if value is None else str(value) for key, value in env.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """`depends_on` as {name: condition}; the long syntax is required (explicit conditions)."""
    deps = service.get("depends_on") or {}
    assert isinstance(deps, dict), "use the long depends_on syntax with an explicit condition"
    return {name: spec["condition"] for name, spec in deps.items()}


def published(service: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each `ports` entry in the short syntax."""
    result = []
    for entry in service.get("ports") or []:
        parts = str(entry).split(":")
        address = parts[0] if len(parts) == 3 else ""
        result.append((address, int(parts[-2]), int(parts[-1].split("/")[0])))
    return result


# ---------------------------------------------------------------------------------------------
# Dockerfile: instructions per stage


@dataclass
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no stage {name!r} in the Dockerfile")

    def resolve(self, reference: str) -> str:
        """A FROM reference with the global ARG defaults put in."""
        return re.sub(
            r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: self.global_args.get(m[1], ""), reference
        )


def parse_dockerfile(text: str) -> Dockerfile:
    """Enough of the Dockerfile syntax for the checks: continuations, comments, stages, ARG."""
    instructions: list[Instruction] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#") or (not buffer and not line):
            continue  # comments, also inside a continuation, are dropped as Docker does
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1].strip())
            continue
        buffer.append(line)
        keyword, _, arguments = " ".join(part for part in buffer if part).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        buffer = []
    assert not buffer, "the Dockerfile ends inside a line continuation"

    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            words = [w for w in instruction.arguments.split() if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            assert instruction.keyword == "ARG", f"line {instruction.line}: only ARG may precede FROM"
            key, _, default = instruction.arguments.partition("=")
            global_args[key.strip()] = default.strip().strip('"')
        else:
            stages[-1].instructions.append(instruction)
    return Dockerfile(global_args, stages)
