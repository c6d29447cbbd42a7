"""The Grafana dashboard (deploy/observability/grafana/order-platform.json) reads only metrics the
services export, and it is provisioned in compose and shipped as a ConfigMap for Kubernetes.

The exported names come from the metric definitions: every service's composition root is
imported, which registers its metrics in the shared registry that `/metrics` serves (the names
scraped from the running processes are checked in tests/e2e/test_metrics.py).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY as PROCESS_REGISTRY

from shared_observability.metrics import OPERATOR_METRICS, REGISTRY

from .deployfiles import REPO_ROOT
from .k8s_manifests import Manifests

GRAFANA_DIR = REPO_ROOT / "deploy" / "observability" / "grafana"
DASHBOARD = GRAFANA_DIR / "order-platform.json"
PROVISIONING = GRAFANA_DIR / "provisioning"

PROMQL_WORDS = {
    # aggregations and functions are followed by "(" and dropped by the pattern; these are not
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
}
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (label matchers, grouping labels, ranges,
    strings, functions and keywords taken out)."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _GROUPING.sub("", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in PROMQL_WORDS}


def exported_metric_names() -> set[str]:
    """Every sample name `/metrics` can serve in any service."""
    for service in ("gateway", "enrichment", "appointment", "inventory", "fulfillment"):
        importlib.import_module(f"{service}.bootstrap")
    names: set[str] = set()
    for family in [*REGISTRY.collect(), *PROCESS_REGISTRY.collect()]:
        if family.type == "counter":
            names.add(f"{family.name}_total")
        elif family.type == "histogram":
            names |= {f"{family.name}_bucket", f"{family.name}_sum", f"{family.name}_count"}
        else:
            names.add(family.name)
    return names


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # collapsed rows hold their panels
    return found


def expressions(dashboard: dict[str, Any]) -> list[str]:
    exprs = [target["expr"] for panel in panels(dashboard) for target in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        query = variable.get("query")
        if variable["type"] == "query":
            exprs.append(_label_values_metric(query["query"] if isinstance(query, dict) else query))
    return exprs


def _label_values_metric(expr: str) -> str:
    """`label_values(metric, label)` (a Grafana variable query) -> `metric`."""
    match = re.fullmatch(r"label_values\((\w+),\s*\w+\)", expr)
    return match.group(1) if match else expr


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    document = json.loads(DASHBOARD.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def exported() -> set[str]:
    return exported_metric_names()


def test_every_expression_reads_only_exported_metrics(dashboard: dict[str, Any], exported: set[str]) -> None:
    exprs = expressions(dashboard)
    assert len(exprs) > 10
    for expr in exprs:
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= exported, f"{expr!r} reads {names - exported}, which no service exports"


def test_the_dashboard_shows_every_operator_metric(dashboard: dict[str, Any]) -> None:
    read = set().union(*(metric_names(expr) for expr in expressions(dashboard)))
    shown = {name for name in OPERATOR_METRICS if name in read or f"{name}_bucket" in read}
    assert shown == set(OPERATOR_METRICS), f"no panel for {set(OPERATOR_METRICS) - shown}"


def test_the_check_catches_a_metric_no_service_exports(exported: set[str]) -> None:
    broken = 'sum by (service) (rate(http_request_total{service=~"$service"}[$__rate_interval]))'
    assert metric_names(broken) == {"http_request_total"}
    assert not metric_names(broken) <= exported
    quantile = 'histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{a="b"}[5m])))'
    assert metric_names(quantile) == {"http_request_duration_seconds_bucket"}
    assert metric_names("outbox_lag_events > 0 and on (service) up") == {"outbox_lag_events", "up"}


def test_panels_use_the_datasource_variable_and_have_unique_ids(dashboard: dict[str, Any]) -> None:
    variables = {variable["name"]: variable for variable in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_compose_provisions_prometheus_and_the_dashboard(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in grafana["volumes"]}
    datasources = yaml.safe_load((PROVISIONING / "datasources" / "prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    providers = yaml.safe_load((PROVISIONING / "dashboards" / "order-platform.yml").read_text())
    (provider,) = providers["providers"]
    dashboard_path = mounts["./deploy/observability/grafana/order-platform.json"]
    assert Path(dashboard_path).parent == Path(provider["options"]["path"])
    assert mounts["./deploy/observability/grafana/provisioning/datasources/prometheus.yml"].startswith(
        "/etc/grafana/provisioning/datasources/"
    )
    assert mounts["./deploy/observability/grafana/provisioning/dashboards/order-platform.yml"].startswith(
        "/etc/grafana/provisioning/dashboards/"
    )
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_started"


def test_kubernetes_ships_the_dashboard_as_a_configmap(rendered: dict[str, Manifests]) -> None:
    for overlay, manifests in rendered.items():
        configmap = manifests.get("ConfigMap", "order-platform-grafana-dashboard")
        assert configmap["metadata"]["namespace"] == manifests.namespace
        assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1", overlay
        assert json.loads(configmap["data"]["order-platform.json"]) == json.loads(DASHBOARD.read_text())
