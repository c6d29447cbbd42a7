"""Fixtures for the offline checks of Dockerfile, docker-compose.yml and deploy/compose/."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from shared_db.provision import SERVICES as PROVISIONED_SERVICES

from .deployfiles import COMPOSE_FILE, DOCKERFILE, Dockerfile, interpolate_all, parse_dockerfile
from .deployfiles import service_names as _service_names
from .deployfiles import settings_class as _settings_class
from .k8s_manifests import OVERLAYS, Manifests, load, render


@pytest.fixture(scope="session")
def platform_services() -> tuple[str, ...]:
    """The services of the workspace (services/<name>/), which must be the provisioned ones."""
    names = _service_names()
    assert set(names) == set(PROVISIONED_SERVICES), (
        f"services/ holds {names}, shared_db.provision.SERVICES is {PROVISIONED_SERVICES}"
    )
    return names


@pytest.fixture(scope="session")
def service_settings(platform_services: tuple[str, ...]) -> dict[str, type[BaseSettings]]:
    return {service: _settings_class(service) for service in platform_services}


@pytest.fixture(scope="session")
def compose_raw() -> dict[str, Any]:
    """docker-compose.yml as written (anchors and merge keys resolved by the YAML loader)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="session")
def compose(compose_raw: dict[str, Any]) -> dict[str, Any]:
    """docker-compose.yml as compose sees it when no variable is set: every default applied."""
    document = interpolate_all(compose_raw)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="session")
def dockerfile() -> Dockerfile:
    return parse_dockerfile(DOCKERFILE.read_text())


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Manifests]:
    """Every Kubernetes overlay, rendered and validated once by deploy/k8s/validate.sh."""
    out = tmp_path_factory.mktemp("k8s-rendered")
    result = render(out)
    assert result.returncode == 0, f"deploy/k8s/validate.sh failed:\n{result.stdout}\n{result.stderr}"
    assert ": ok" in result.stdout, result.stdout
    return {overlay: Manifests(overlay, load(out / f"{overlay}.yaml")) for overlay in OVERLAYS}
