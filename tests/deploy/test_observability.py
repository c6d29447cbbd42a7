"""Traces and metrics in compose: the collector's pipeline, Jaeger, and what Prometheus scrapes.

The structure is checked always. Where the tools are installed, the files are also validated by
the real programs: `promtool check config` (PROMTOOL or `promtool` on PATH) and
`otelcol validate` (OTELCOL: a collector binary with at least the components the config uses).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from .deployfiles import COMPOSE_DIR, command_of, environment_of

COLLECTOR_CONFIG = COMPOSE_DIR / "otel-collector.yaml"
PROMETHEUS_CONFIG = COMPOSE_DIR / "prometheus.yml"


@pytest.fixture(scope="module")
def collector() -> dict[str, Any]:
    document = yaml.safe_load(COLLECTOR_CONFIG.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    document = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    assert isinstance(document, dict)
    return document


def scrape_targets(prometheus: dict[str, Any]) -> dict[str, list[str]]:
    return {
        job["job_name"]: [target for static in job["static_configs"] for target in static["targets"]]
        for job in prometheus["scrape_configs"]
    }


def collector_metrics_port(collector: dict[str, Any]) -> int:
    readers = collector["service"]["telemetry"]["metrics"]["readers"]
    exporter = readers[0]["pull"]["exporter"]["prometheus"]
    assert exporter["host"] == "0.0.0.0", "Prometheus scrapes from another container"
    return int(exporter["port"])


# ---------------------------------------------------------------------------------------------
# Collector and Jaeger


def test_collector_receives_otlp_and_sends_traces_to_jaeger(collector: dict[str, Any]) -> None:
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["http"]["endpoint"] == "0.0.0.0:4318"
    assert protocols["grpc"]["endpoint"] == "0.0.0.0:4317"
    pipeline = collector["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"]
    assert pipeline["processors"][0] == "memory_limiter", "the memory limiter must come first"
    (exporter,) = pipeline["exporters"]
    assert exporter.split("/")[0] == "otlp_grpc"
    assert collector["exporters"][exporter]["endpoint"] == "jaeger:4317"
    for kind in ("receivers", "processors", "exporters"):
        for name in pipeline[kind]:
            assert name in collector[kind], f"pipeline uses undefined {kind[:-1]} {name}"


def test_collector_and_jaeger_in_compose(compose: dict[str, Any]) -> None:
    services = compose["services"]
    mounted = "./deploy/compose/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro"
    assert mounted in services["otel-collector"]["volumes"]
    assert command_of(services["otel-collector"]) == ["--config=/etc/otelcol-contrib/config.yaml"]
    assert environment_of(services["jaeger"])["COLLECTOR_OTLP_ENABLED"] == "true"


def test_collector_config_is_valid_for_the_collector() -> None:
    binary = os.environ.get("OTELCOL") or shutil.which("otelcol-contrib")
    if not binary:
        pytest.skip("no collector binary (set OTELCOL, or put otelcol-contrib on PATH)")
    done = subprocess.run(
        [binary, "validate", f"--config={COLLECTOR_CONFIG}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------
# Prometheus


def test_prometheus_scrapes_every_service_at_its_port(
    prometheus: dict[str, Any], compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    targets = scrape_targets(prometheus)
    for service in platform_services:
        port = environment_of(compose["services"][service])["HTTP_PORT"]
        assert targets.get(service) == [f"{service}:{port}"], f"{service} is not scraped at its HTTP_PORT"
    for job in prometheus["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"


def test_prometheus_scrapes_the_collector(prometheus: dict[str, Any], collector: dict[str, Any]) -> None:
    assert scrape_targets(prometheus)["otel-collector"] == [
        f"otel-collector:{collector_metrics_port(collector)}"
    ]


def test_prometheus_in_compose(compose: dict[str, Any]) -> None:
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in volumes


def test_prometheus_config_is_valid_for_promtool() -> None:
    binary = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not binary:
        pytest.skip("promtool is not installed (set PROMTOOL, or put promtool on PATH)")
    done = subprocess.run(
        [binary, "check", "config", "--syntax-only", str(PROMETHEUS_CONFIG)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
