"""Rendering and reading the Kubernetes manifests (deploy/k8s/) for the offline checks.

`render` runs deploy/k8s/validate.sh, which renders overlays with kustomize and validates every
document (Kubernetes schemas, Strimzi KafkaTopic schema); the helpers below read the result the way
the API server and a NetworkPolicy implementation would, for the semantic checks.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
VALIDATE = K8S_DIR / "validate.sh"
OVERLAYS = tuple(sorted(p.name for p in (K8S_DIR / "overlays").iterdir() if p.is_dir()))

Doc = dict[str, Any]


def render(out: Path, *overlays: Path) -> subprocess.CompletedProcess[str]:
    """deploy/k8s/validate.sh --out OUT [OVERLAY...]: render and validate; output captured."""
    return subprocess.run(
        [str(VALIDATE), "--out", str(out), *map(str, overlays)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def load(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@dataclass(frozen=True)
class Manifests:
    """One rendered overlay."""

    overlay: str
    docs: list[Doc]

    def of_kind(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> Doc:
        found = [d for d in self.of_kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: expected one {kind} {name!r}, found {len(found)}"
        return found[0]

    def has(self, kind: str, name: str) -> bool:
        return any(d["metadata"]["name"] == name for d in self.of_kind(kind))

    @property
    def namespace(self) -> str:
        (namespace,) = {d["metadata"]["name"] for d in self.of_kind("Namespace")}
        return str(namespace)

    def namespace_labels(self, name: str) -> dict[str, str]:
        """A namespace's labels as NetworkPolicy sees them (the API server adds the name label)."""
        labels = {"kubernetes.io/metadata.name": name}
        for ns in self.of_kind("Namespace"):
            if ns["metadata"]["name"] == name:
                labels.update(ns["metadata"].get("labels") or {})
        return labels

    def container_env(self, pod_spec: Doc) -> dict[str, Any]:
        """NAME -> value (str) or the `valueFrom` mapping, envFrom ConfigMaps resolved first."""
        (container,) = pod_spec["containers"]
        env: dict[str, Any] = {}
        for source in container.get("envFrom") or []:
            assert "configMapRef" in source, f"only ConfigMaps go into envFrom, got {source}"
            env.update(self.get("ConfigMap", source["configMapRef"]["name"])["data"])
        for item in container.get("env") or []:
            env[item["name"]] = item["value"] if "value" in item else item["valueFrom"]
        return env


# ---------------------------------------------------------------------------------------------
# NetworkPolicy semantics (enough of them for this tree: matchLabels, matchExpressions In/Exists)


def selects(selector: Doc | None, labels: dict[str, str]) -> bool:
    """A label selector; an empty one selects everything, a missing one nothing."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


@dataclass(frozen=True)
class Endpoint:
    """A pod (or, with `ip`, an address outside the cluster's pods) as a policy sees it."""

    namespace: str
    labels: dict[str, str]
    namespace_labels: dict[str, str]
    ip: str | None = None


def peer_matches(peer: Doc, policy_namespace: str, other: Endpoint) -> bool:
    if "ipBlock" in peer:
        return other.ip is not None  # coarse: any address outside; CIDRs are not compared here
    if other.ip is not None:
        return False
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], other.namespace_labels):
            return False
    elif other.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector", {}), other.labels)


def port_matches(rule: Doc, port: int, protocol: str = "TCP") -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(
        p.get("protocol", "TCP") == protocol and (p.get("port") is None or p["port"] == port) for p in ports
    )


def allows(
    policies: list[Doc], direction: str, target: Endpoint, other: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    """Whether `direction` ("Ingress"/"Egress") traffic of `target` with `other` is allowed."""
    relevant = [
        p
        for p in policies
        if p["metadata"].get("namespace") == target.namespace
        and selects(p["spec"]["podSelector"], target.labels)
        and direction in p["spec"].get("policyTypes", ["Ingress"])
    ]
    if not relevant:
        return True  # not isolated in that direction
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for policy in relevant:
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(peer_matches(peer, target.namespace, other) for peer in peers)
            if peer_ok and port_matches(rule, port, protocol):
                return True
    return False


def connection_allowed(
    policies: list[Doc], source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP"
) -> bool:
    """Source may open a connection to destination:port (egress of one, ingress of the other;
    the side outside the platform's namespace is taken as unrestricted)."""
    egress = source.ip is not None or allows(policies, "Egress", source, destination, port, protocol)
    ingress = destination.ip is not None or allows(policies, "Ingress", destination, source, port, protocol)
    return egress and ingress
