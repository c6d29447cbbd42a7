"""Offline checks of the Kubernetes manifests (deploy/k8s/), part of `make test`.

No cluster and no Docker: deploy/k8s/validate.sh renders every overlay with kustomize and validates
every document against the Kubernetes schemas (kubernetes-validate, strict) and the Strimzi
KafkaTopic schema (check-jsonschema); the tests here check the rendered documents against the code
(settings, topics, ports, the call graph) and show that a broken manifest fails the validation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from shared_contracts.topics import ALL_TOPICS, DEFAULT_PARTITIONS, EVENT_TOPICS, dlq

from .deployfiles import env_names
from .k8s_manifests import K8S_DIR, OVERLAYS, Endpoint, Manifests, allows, connection_allowed, render

# Who calls whom over HTTP (ADR 0006: the gateway forwards to the owners; appointment and
# enrichment ask each other when a read model lags; fulfillment reserves through inventory).
CALLS: dict[str, set[str]] = {
    "gateway": {"enrichment", "appointment", "inventory", "fulfillment"},
    "enrichment": {"appointment"},
    "appointment": {"enrichment"},
    "inventory": set(),
    "fulfillment": {"inventory"},
}
# Ports outside the namespace a platform pod may reach: DNS, PostgreSQL, Kafka, OTLP.
EXTERNAL_EGRESS_PORTS = {53, 5432, 9092, 9093, 4317, 4318}
PER_SERVICE_KINDS = (
    "Deployment",
    "Service",
    "ServiceAccount",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
)


@pytest.fixture(params=OVERLAYS)
def manifests(request: pytest.FixtureRequest, rendered: dict[str, Manifests]) -> Manifests:
    return rendered[request.param]


def test_services_and_call_graph_agree(platform_services: tuple[str, ...]) -> None:
    assert set(CALLS) == set(platform_services)


def test_dev_and_prod_overlays_exist() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


# ---------------------------------------------------------------------------------------------
# Validation fails on broken manifests

BROKEN_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
spec:
  selector:
    matchLabels: {app: broken}
  template:
    metadata:
      labels: {app: broken}
    spec:
      containers:
        - name: broken
          image: order-platform/broken:1
          livenessProbe:
            httpGet:
              paht: /health/live   # typo: strict validation refuses the unknown field
              port: 8080
"""

BROKEN_TOPIC = """
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata:
  name: orders.order.v1
  labels:
    strimzi.io/cluster: order-platform
spec:
  partitions: 0   # the CRD's minimum is 1
  replicas: 3
"""

UNKNOWN_KIND = """
apiVersion: example.com/v1
kind: Widget
metadata:
  name: no-schema-for-this
"""


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        pytest.param(BROKEN_DEPLOYMENT, "paht", id="deployment-unknown-field"),
        pytest.param(BROKEN_TOPIC, "partitions", id="kafkatopic-zero-partitions"),
        pytest.param(UNKNOWN_KIND, "Widget", id="kind-without-schema"),
    ],
)
def test_validation_fails_on_a_broken_manifest(tmp_path: Path, manifest: str, expected: str) -> None:
    overlay = tmp_path / "broken"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text("resources:\n  - broken.yaml\n")
    (overlay / "broken.yaml").write_text(manifest)
    result = render(tmp_path / "out", overlay)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ERROR" in result.stdout
    assert expected in result.stdout, result.stdout


def test_validation_fails_when_the_real_tree_is_broken(tmp_path: Path) -> None:
    """The shipped base with one wrong value patched in (a string where an integer belongs)."""
    overlay = tmp_path / "patched"
    overlay.mkdir()
    base = os.path.relpath(K8S_DIR / "overlays" / "dev", overlay)  # kustomize wants it relative
    (overlay / "kustomization.yaml").write_text(
        f"resources:\n  - {base}\n"
        "patches:\n"
        "  - target: {kind: Deployment, name: inventory}\n"
        "    patch: |-\n"
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/ports/0/containerPort\n"
        '        value: "8083"\n'
    )
    result = render(tmp_path / "out", overlay)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Deployment/order-platform-dev/inventory" in result.stdout, result.stdout


# ---------------------------------------------------------------------------------------------
# Every service has its objects


def test_every_service_has_every_kind(manifests: Manifests, platform_services: tuple[str, ...]) -> None:
    for service in platform_services:
        for kind in PER_SERVICE_KINDS:
            assert manifests.has(kind, service), f"{manifests.overlay}: no {kind} {service}"
        assert manifests.has("ConfigMap", f"{service}-config")
        assert manifests.has("Job", f"{service}-migrate")
    assert manifests.has("ConfigMap", "platform-common")
    assert manifests.has("NetworkPolicy", "default-deny-all")
    (ingress,) = manifests.of_kind("Ingress")
    backends = {
        (p["backend"]["service"]["name"], p["backend"]["service"]["port"]["name"])
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert backends == {("gateway", "http")}, "the Ingress leads to the gateway only"


def test_no_secret_values_are_committed(manifests: Manifests) -> None:
    assert manifests.of_kind("Secret") == [], "Secrets are created outside the tree (README)"


def test_platform_objects_live_in_the_overlay_namespace(manifests: Manifests) -> None:
    for doc in manifests.docs:
        if doc["kind"] in ("Namespace", "KafkaTopic"):
            continue
        assert doc["metadata"].get("namespace") == manifests.namespace, doc["metadata"]["name"]


# ---------------------------------------------------------------------------------------------
# Pods: security, probes, commands, settings


def pod_specs(manifests: Manifests) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"]["spec"])
        for d in manifests.docs
        if d["kind"] in ("Deployment", "Job")
    ]


def test_pods_are_locked_down(manifests: Manifests) -> None:
    specs = pod_specs(manifests)
    assert len(specs) == 10
    for name, spec in specs:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["runAsUser"] == 10001, name
        assert pod["runAsGroup"] == 10001, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        (container,) = spec["containers"]
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False, name
        assert ctx["readOnlyRootFilesystem"] is True, name
        assert ctx["capabilities"] == {"drop": ["ALL"]}, name
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], f"{name}: /tmp must be an emptyDir"
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), name
        assert "memory" in resources["limits"], name
        assert ":" in container["image"].rsplit("/", 1)[-1], f"{name}: image without a tag"
        assert not container["image"].endswith(":latest"), name
    for account in manifests.of_kind("ServiceAccount"):
        assert account["automountServiceAccountToken"] is False


def test_probes_on_the_health_endpoints(
    manifests: Manifests, service_settings: dict[str, type[BaseSettings]]
) -> None:
    for service, settings in service_settings.items():
        deployment = manifests.get("Deployment", service)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        env = manifests.container_env(deployment["spec"]["template"]["spec"])
        # The port the process listens on is the port the probes, the Service and the policy use.
        assert int(env["HTTP_PORT"]) == ports["http"] == settings.model_fields["http_port"].default
        assert env["HTTP_HOST"] == "0.0.0.0"
        for probe, path in (
            ("livenessProbe", "/health/live"),
            ("readinessProbe", "/health/ready"),
            ("startupProbe", "/health/live"),
        ):
            get = container[probe]["httpGet"]
            assert (get["path"], get["port"]) == (path, "http"), f"{service} {probe}"
        service_obj = manifests.get("Service", service)
        (port,) = service_obj["spec"]["ports"]
        assert port["targetPort"] == "http"
        assert port["port"] == ports["http"], "<SERVICE>_URL uses the same port as make up"


def test_commands_and_migrations(manifests: Manifests, platform_services: tuple[str, ...]) -> None:
    for service in platform_services:
        deployment = manifests.get("Deployment", service)
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["python", "-m", service]
        env = manifests.container_env(deployment["spec"]["template"]["spec"])
        assert env["RUN_MIGRATIONS_ON_START"] == "false", "the Job migrates; replicas must not race"
        job = manifests.get("Job", f"{service}-migrate")
        (migrate,) = job["spec"]["template"]["spec"]["containers"]
        assert migrate["args"] == ["python", "-m", service, "migrate"]
        assert migrate["image"] == container["image"], "the Job migrates the version that runs"
        job_env = manifests.container_env(job["spec"]["template"]["spec"])
        assert job_env["DATABASE_URL"] == env["DATABASE_URL"]
        assert job["spec"]["template"]["spec"]["restartPolicy"] in ("OnFailure", "Never")


def test_environment_is_made_of_settings_fields(
    manifests: Manifests, service_settings: dict[str, type[BaseSettings]]
) -> None:
    """Every variable a pod gets is read by its Settings; the secrets come from Secrets by name."""
    for service, settings in service_settings.items():
        known = env_names(settings)
        for kind, name in (("Deployment", service), ("Job", f"{service}-migrate")):
            env = manifests.container_env(manifests.get(kind, name)["spec"]["template"]["spec"])
            unknown = set(env) - set(known)
            assert not unknown, f"{kind} {name}: {sorted(unknown)} are no fields of {service}'s Settings"
            assert env["DATABASE_URL"] == {
                "secretKeyRef": {"name": f"{service}-database", "key": "DATABASE_URL"}
            }
        env = manifests.container_env(manifests.get("Deployment", service)["spec"]["template"]["spec"])
        for key, value in env.items():
            if isinstance(value, dict):
                assert "secretKeyRef" in value, f"{service} {key}"
        if service == "gateway":
            assert env["GATEWAY_SECRET_KEY"] == {
                "secretKeyRef": {"name": "gateway-secret-key", "key": "GATEWAY_SECRET_KEY"}
            }
        # Every upstream URL the service has a setting for points at that service's Service.
        for variable in (v for v in known if v.endswith("_URL") and v != "DATABASE_URL"):
            callee = variable.removesuffix("_URL").lower()
            port = manifests.get("Service", callee)["spec"]["ports"][0]["port"]
            assert env.get(variable) == f"http://{callee}:{port}", f"{service} {variable}"


# ---------------------------------------------------------------------------------------------
# Scaling


def test_autoscaling_and_disruption(manifests: Manifests, platform_services: tuple[str, ...]) -> None:
    for service in platform_services:
        deployment = manifests.get("Deployment", service)
        assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        hpa = manifests.get("HorizontalPodAutoscaler", service)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": service,
        }
        low, high = hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]
        assert 1 <= low <= high
        if service != "gateway":
            assert high <= DEFAULT_PARTITIONS, f"{service}: more consumers than partitions would idle"
        if manifests.overlay == "prod":
            assert low >= 2, f"{service}: production runs more than one replica"
        pdb = manifests.get("PodDisruptionBudget", service)
        selector = pdb["spec"]["selector"]["matchLabels"]
        assert selector == deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        service_selector = manifests.get("Service", service)["spec"]["selector"]
        assert service_selector.items() <= labels.items()
        job_labels = manifests.get("Job", f"{service}-migrate")["spec"]["template"]["metadata"]["labels"]
        assert not service_selector.items() <= job_labels.items(), "the Service must not select the Job"


# ---------------------------------------------------------------------------------------------
# Kafka topics


def test_every_topic_and_dlq_is_a_kafkatopic(manifests: Manifests) -> None:
    topics = manifests.of_kind("KafkaTopic")
    names = [t["spec"].get("topicName", t["metadata"]["name"]) for t in topics]
    assert sorted(names) == sorted(ALL_TOPICS)
    assert all(dlq(topic) in names for topic in EVENT_TOPICS)
    for topic in topics:
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["spec"]["partitions"] == DEFAULT_PARTITIONS == 6
        assert topic["metadata"]["labels"]["strimzi.io/cluster"]
        assert int(topic["spec"]["config"]["min.insync.replicas"]) <= topic["spec"]["replicas"]
        # The Topic Operator watches the Kafka cluster's namespace, not the platform's.
        assert topic["metadata"]["namespace"] != manifests.namespace
    replicas = {t["spec"]["replicas"] for t in topics}
    assert replicas == {"dev": {1}, "prod": {3}}.get(manifests.overlay, replicas)


# ---------------------------------------------------------------------------------------------
# Network policies: exactly the call graph


def endpoint(manifests: Manifests, service: str, component: str = "server") -> Endpoint:
    kind, name = ("Deployment", service) if component == "server" else ("Job", f"{service}-migrate")
    labels = manifests.get(kind, name)["spec"]["template"]["metadata"]["labels"]
    namespace = manifests.namespace
    return Endpoint(namespace, labels, manifests.namespace_labels(namespace))


def outside(namespace: str, **labels: str) -> Endpoint:
    return Endpoint(namespace, labels, {"kubernetes.io/metadata.name": namespace})


def test_default_deny(manifests: Manifests) -> None:
    deny = manifests.get("NetworkPolicy", "default-deny-all")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_services_reach_exactly_the_services_they_call(
    manifests: Manifests, platform_services: tuple[str, ...]
) -> None:
    policies = manifests.of_kind("NetworkPolicy")
    ports = {s: manifests.get("Service", s)["spec"]["ports"][0]["port"] for s in platform_services}
    allowed = {
        source: {
            target
            for target in platform_services
            if target != source
            and connection_allowed(
                policies, endpoint(manifests, source), endpoint(manifests, target), ports[target]
            )
        }
        for source in platform_services
    }
    assert allowed == CALLS
    # Each half on its own too, so that neither side leans on the other: the callee admits only
    # its callers, the caller may open connections only to its callees.
    for source in platform_services:
        for target in set(platform_services) - {source}:
            src, dst = endpoint(manifests, source), endpoint(manifests, target)
            expected = target in CALLS[source]
            assert allows(policies, "Ingress", dst, src, ports[target]) == expected, f"{source}->{target}"
            assert allows(policies, "Egress", src, dst, ports[target]) == expected, f"{source}->{target}"
    # The migration Jobs call no service.
    for source in platform_services:
        for target in platform_services:
            assert not connection_allowed(
                policies, endpoint(manifests, source, "migrate"), endpoint(manifests, target), ports[target]
            )


def test_only_the_gateway_is_reachable_from_outside(
    manifests: Manifests, platform_services: tuple[str, ...]
) -> None:
    policies = manifests.of_kind("NetworkPolicy")
    controller = outside("ingress-nginx", **{"app.kubernetes.io/name": "ingress-nginx"})
    stranger = outside("default", app="curl")
    for service in platform_services:
        port = manifests.get("Service", service)["spec"]["ports"][0]["port"]
        target = endpoint(manifests, service)
        assert connection_allowed(policies, controller, target, port) == (service == "gateway"), service
        assert not connection_allowed(policies, stranger, target, port), service
    # Nothing admits traffic from another namespace or an address block but the gateway's policy.
    for policy in policies:
        for rule in policy["spec"].get("ingress") or []:
            for peer in rule.get("from") or []:
                if "namespaceSelector" in peer or "ipBlock" in peer:
                    assert policy["metadata"]["name"] == "gateway", policy["metadata"]["name"]


def test_egress_leaves_the_namespace_only_for_kafka_postgres_dns_and_traces(
    manifests: Manifests, platform_services: tuple[str, ...]
) -> None:
    policies = manifests.of_kind("NetworkPolicy")
    for policy in policies:
        for rule in policy["spec"].get("egress") or []:
            peers = rule.get("to") or []
            assert peers, f"{policy['metadata']['name']}: an egress rule without `to` allows everywhere"
            leaves = any("namespaceSelector" in p or "ipBlock" in p for p in peers)
            if leaves:
                assert rule.get("ports"), policy["metadata"]["name"]
                assert {p["port"] for p in rule["ports"]} <= EXTERNAL_EGRESS_PORTS
    kafka = outside("kafka", **{"strimzi.io/cluster": "order-platform", "strimzi.io/kind": "Kafka"})
    postgres = outside("postgres", app="postgresql")
    dns = outside("kube-system", **{"k8s-app": "kube-dns"})
    elsewhere = outside("kafka", app="something-else")
    for service in platform_services:
        pod, job = endpoint(manifests, service), endpoint(manifests, service, "migrate")
        assert connection_allowed(policies, pod, kafka, 9092), service
        assert connection_allowed(policies, pod, postgres, 5432), service
        assert connection_allowed(policies, pod, dns, 53, "UDP"), service
        assert connection_allowed(policies, job, postgres, 5432), service
        assert not connection_allowed(policies, job, kafka, 9092), f"{service}-migrate needs no Kafka"
        assert not connection_allowed(policies, pod, elsewhere, 8080), service
        assert not connection_allowed(policies, pod, postgres, 9092), service
