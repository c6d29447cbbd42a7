"""docker-compose.yml: valid against the Compose Specification, complete, ordered, consistent
with the code it runs (settings, ports, provisioning) and with the files it mounts."""

from __future__ import annotations

import json
import shutil
import subprocess
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from shared_db.provision import service_password

from .deployfiles import (
    COMPOSE_DIR,
    REPO_ROOT,
    command_of,
    depends_on,
    env_names,
    environment_of,
    interpolate,
    published,
)

INFRASTRUCTURE = {"postgres", "kafka", "jaeger", "otel-collector", "prometheus", "grafana"}
JOBS = {"topics", "provision", "demo-dir", "seed"}
SEED_COMMAND = ["python", "-m", "gateway", "clients", "seed-demo", "--out", "/var/demo/demo-clients.json"]

# Settings every service container must be given explicitly (the code defaults are for `make up`).
REQUIRED_SERVICE_ENV = {
    "DATABASE_URL",
    "KAFKA_BOOTSTRAP_SERVERS",
    "HTTP_HOST",
    "HTTP_PORT",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "RUN_MIGRATIONS_ON_START",
}


def services_of(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


# ---------------------------------------------------------------------------------------------
# Schema


def compose_spec_schema() -> dict[str, Any]:
    """The Compose Specification JSON schema vendored by check-jsonschema (a dev dependency)."""
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (dev dependency) ships the schema")
    schema_file = files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    return json.loads(schema_file.read_text())


@pytest.mark.parametrize("form", ["as written", "with defaults"])
def test_compose_file_follows_the_compose_specification(
    form: str, compose_raw: dict[str, Any], compose: dict[str, Any]
) -> None:
    schema = compose_spec_schema()
    jsonschema = pytest.importorskip("jsonschema")
    document = compose_raw if form == "as written" else compose
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_the_schema_check_catches_a_broken_file(compose: dict[str, Any]) -> None:
    """The validation above is real: a wrong condition and an unknown key are reported."""
    schema = compose_spec_schema()
    jsonschema = pytest.importorskip("jsonschema")
    broken = json.loads(json.dumps(compose))
    broken["services"]["gateway"]["depends_on"]["kafka"]["condition"] = "service_ready"
    broken["services"]["gateway"]["helthcheck"] = {}
    messages = [e.message for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(broken)]
    assert any("service_ready" in m for m in messages), messages
    assert any("helthcheck" in m for m in messages), messages


# ---------------------------------------------------------------------------------------------
# What runs


def test_every_service_infrastructure_and_job_is_present(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    migrations = {f"{service}-migrate" for service in platform_services}
    expected = set(platform_services) | INFRASTRUCTURE | JOBS | migrations
    assert set(services_of(compose)) == expected


def test_platform_containers_use_the_image_of_their_service(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    owners = {service: service for service in platform_services}
    owners |= {f"{service}-migrate": service for service in platform_services}
    owners |= {job: "gateway" for job in JOBS}  # jobs need only shared_*, in every image
    for name, owner in owners.items():
        service = services_of(compose)[name]
        assert service["image"] == f"order-platform/{owner}:local", name
        assert service["build"] == {"context": ".", "args": {"SERVICE": owner}}, name


def test_third_party_images_are_pinned(compose: dict[str, Any]) -> None:
    for name in INFRASTRUCTURE:
        image = services_of(compose)[name]["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, image
        assert tag not in ("", "latest"), f"{name}: {image} has no explicit tag"
        assert any(ch.isdigit() for ch in tag), f"{name}: {image} is not pinned to a version"
    images = {name: services_of(compose)[name]["image"] for name in INFRASTRUCTURE}
    assert images["kafka"].startswith("apache/kafka:4.1.")
    assert images["postgres"].startswith("postgres:16")
    assert images["otel-collector"].startswith("otel/opentelemetry-collector-contrib:")
    assert images["jaeger"].startswith("jaegertracing/all-in-one:")


def test_services_run_the_image_command_and_jobs_run_theirs(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    services = services_of(compose)
    for service in platform_services:
        assert "command" not in services[service], f"{service} must run the image's CMD"
        assert command_of(services[f"{service}-migrate"]) == ["python", "-m", service, "migrate"]
    assert command_of(services["topics"]) == [
        "python", "-m", "shared_messaging", "topics", "create", "--bootstrap", "kafka:19092",
    ]  # fmt: skip
    assert "python -m shared_db.provision" in " ".join(command_of(services["provision"]))
    assert command_of(services["seed"]) == SEED_COMMAND


def test_shell_commands_parse(compose: dict[str, Any]) -> None:
    """Commands run through `sh -c` are valid shell once compose has replaced `$$` by `$`."""
    shell = shutil.which("sh")
    if shell is None:
        pytest.skip("no sh on this machine")
    for name, service in services_of(compose).items():
        command = command_of(service)
        if command[:1] == ["sh"]:
            script = command[-1]
            done = subprocess.run([shell, "-n", "-c", script], capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{name}: {done.stderr}"


# ---------------------------------------------------------------------------------------------
# Order of start-up


def test_start_up_order(compose: dict[str, Any], platform_services: tuple[str, ...]) -> None:
    services = services_of(compose)
    for service in platform_services:
        deps = depends_on(services[service])
        assert deps.get(f"{service}-migrate") == "service_completed_successfully", service
        assert deps.get("topics") == "service_completed_successfully", service
        assert deps.get("kafka") == "service_healthy", service
        assert deps.get("otel-collector") == "service_started", service
        assert depends_on(services[f"{service}-migrate"]) == {"provision": "service_completed_successfully"}
    upstreams = {s: "service_healthy" for s in platform_services if s != "gateway"}
    assert upstreams.items() <= depends_on(services["gateway"]).items()
    assert depends_on(services["provision"]) == {"postgres": "service_healthy"}
    assert depends_on(services["topics"]) == {"kafka": "service_healthy"}
    assert depends_on(services["seed"]) == {
        "gateway-migrate": "service_completed_successfully",
        "demo-dir": "service_completed_successfully",
    }


def test_dependency_conditions_can_be_met(compose: dict[str, Any]) -> None:
    """service_healthy needs a healthcheck; service_completed_successfully needs a one-shot
    container (restart "no"); and the graph has no cycle."""
    services = services_of(compose)
    graph: dict[str, set[str]] = {}
    for name, service in services.items():
        deps = depends_on(service)
        graph[name] = set(deps)
        for target, condition in deps.items():
            assert target in services, f"{name} depends on unknown {target}"
            if condition == "service_healthy":
                check = services[target].get("healthcheck") or {}
                assert check.get("test"), f"{name} waits for {target} to be healthy, which has no check"
                assert not check.get("disable"), f"{name} waits for {target}, whose check is off"
            elif condition == "service_completed_successfully":
                assert services[target].get("restart") == "no", f"{target} must be a one-shot job"
            else:
                assert condition == "service_started", f"{name} -> {target}: {condition}"
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"depends_on has a cycle: {error.args[1]}")


def test_long_running_containers_restart_and_jobs_do_not(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    services = services_of(compose)
    for name in set(platform_services) | INFRASTRUCTURE:
        assert services[name].get("restart") == "unless-stopped", name
    for name in JOBS | {f"{s}-migrate" for s in platform_services}:
        assert services[name].get("restart") == "no", name
        # The image's liveness check would probe an HTTP server a job does not run.
        assert services[name].get("healthcheck") == {"disable": True}, name


# ---------------------------------------------------------------------------------------------
# Health


def test_platform_services_report_readiness(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    for service in platform_services:
        check = services_of(compose)[service]["healthcheck"]
        test = " ".join(check["test"])
        assert check["test"][0] == "CMD", service
        assert "/health/ready" in test, service
        assert "HTTP_PORT" in test, service
        assert "start_period" in check, service
        if check["test"][1:3] == ["python", "-c"]:
            compile(check["test"][3], f"{service} healthcheck", "exec")  # a typo would mean never healthy


def test_infrastructure_health_checks(compose: dict[str, Any]) -> None:
    services = services_of(compose)
    postgres = " ".join(services["postgres"]["healthcheck"]["test"])
    # Over TCP: during initialisation the server listens on its Unix socket only.
    assert "pg_isready" in postgres
    assert "-h 127.0.0.1" in postgres
    kafka = " ".join(services["kafka"]["healthcheck"]["test"])
    assert "kafka-broker-api-versions.sh" in kafka
    assert "kafka:19092" in kafka


# ---------------------------------------------------------------------------------------------
# Environment: what the services read is what compose gives them


def container_env_owner(compose: dict[str, Any], platform_services: tuple[str, ...]) -> dict[str, str]:
    """Each container that runs a service's settings class -> that service."""
    owners = {service: service for service in platform_services}
    owners |= {f"{service}-migrate": service for service in platform_services}
    owners["seed"] = "gateway"
    return owners


def test_every_variable_a_container_is_given_is_a_setting_it_reads(
    compose: dict[str, Any], platform_services: tuple[str, ...], service_settings: dict[str, Any]
) -> None:
    """No typo and no stale name: every key is read by the settings class of that container.
    `<SERVICE>_URL` of a platform service is always accepted: it is the convention for calls
    between services, and harmless to give a service before its code reads it."""
    service_urls = {f"{service.upper()}_URL" for service in platform_services}
    for name, owner in container_env_owner(compose, platform_services).items():
        known = set(env_names(service_settings[owner])) | service_urls
        unknown = set(environment_of(services_of(compose)[name])) - set(known)
        assert not unknown, f"{name}: {sorted(unknown)} are not settings of {owner}.config.Settings"


def test_every_setting_a_service_needs_in_a_container_is_given(
    compose: dict[str, Any], platform_services: tuple[str, ...], service_settings: dict[str, Any]
) -> None:
    """The connection settings, and every `<service>_URL` a service calls another service by."""
    for service in platform_services:
        names = set(env_names(service_settings[service]))
        needed = (REQUIRED_SERVICE_ENV | {n for n in names if n.endswith("_URL")}) & names
        assert names >= REQUIRED_SERVICE_ENV, f"{service}: settings changed, update this test"
        given = environment_of(services_of(compose)[service])
        missing = needed - {key for key, value in given.items() if value}
        assert not missing, f"{service}: {sorted(missing)} not set in docker-compose.yml"
        assert given["RUN_MIGRATIONS_ON_START"] == "false", "migrations run as jobs"
        assert given["HTTP_HOST"] == "0.0.0.0"
        assert given["OTEL_TRACES_EXPORTER"] == "otlp"


def test_service_urls_point_at_the_service_and_its_port(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    services = services_of(compose)
    for service in platform_services:
        for key, value in environment_of(services[service]).items():
            target = key.removesuffix("_URL").lower()
            if not key.endswith("_URL") or key == "DATABASE_URL":
                continue
            assert target in platform_services, f"{service}: {key} names no service"
            port = environment_of(services[target])["HTTP_PORT"]
            assert value == f"http://{target}:{port}", f"{service}: {key}={value}"


def test_database_urls_match_provisioning(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    """Each container logs in with its service's role and the password provision gave it."""
    services = services_of(compose)
    provision_env = environment_of(services["provision"])
    admin = urlsplit(provision_env["ADMIN_DATABASE_URL"] or "")
    assert (admin.username, admin.hostname, admin.port, admin.path) == (
        "platform_admin", "postgres", 5432, "/orderplatform",
    )  # fmt: skip
    postgres_env = environment_of(services["postgres"])
    assert postgres_env["PLATFORM_PG_ADMIN_USER"] == admin.username
    assert postgres_env["PLATFORM_PG_ADMIN_PASSWORD"] == admin.password
    assert postgres_env["POSTGRES_DB"] == admin.path.lstrip("/")
    for name, owner in container_env_owner(compose, platform_services).items():
        url = urlsplit(environment_of(services[name])["DATABASE_URL"] or "")
        assert (url.username, url.hostname, url.port, url.path) == (owner, "postgres", 5432, "/orderplatform")
        password = provision_env[f"{owner.upper()}_DB_PASSWORD"]
        assert url.password == password == service_password(owner), name


def test_password_variables_are_shared_between_provisioning_and_services(
    compose_raw: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    """With a password set in the environment, provision and the services still agree."""
    env = {f"{s.upper()}_DB_PASSWORD": f"secret-{s}" for s in platform_services}
    services = compose_raw["services"]
    for service in platform_services:
        provisioned = interpolate(
            environment_of(services["provision"])[f"{service.upper()}_DB_PASSWORD"] or "", env
        )
        for name in (service, f"{service}-migrate"):
            url = urlsplit(interpolate(environment_of(services[name])["DATABASE_URL"] or "", env))
            assert url.password == provisioned == f"secret-{service}", name


def test_services_reach_kafka_and_the_collector_where_they_listen(
    compose: dict[str, Any], platform_services: tuple[str, ...]
) -> None:
    services = services_of(compose)
    kafka = environment_of(services["kafka"])
    assert "PLAINTEXT://kafka:19092" in (kafka["KAFKA_ADVERTISED_LISTENERS"] or "").split(",")
    collector = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text())
    http_port = collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].rsplit(":", 1)[1]
    for service in platform_services:
        env = environment_of(services[service])
        assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:19092", service
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://otel-collector:{http_port}", service


# ---------------------------------------------------------------------------------------------
# Ports


def test_each_service_listens_on_its_documented_port(
    compose: dict[str, Any], platform_services: tuple[str, ...], service_settings: dict[str, Any]
) -> None:
    """The port in compose is the service's own default, the one `make up` and README use."""
    for service in platform_services:
        default = service_settings[service].model_fields["http_port"].default
        assert environment_of(services_of(compose)[service])["HTTP_PORT"] == str(default), service


def test_published_ports(compose: dict[str, Any], platform_services: tuple[str, ...]) -> None:
    services = services_of(compose)
    assert published(services["gateway"]) == [("127.0.0.1", 8080, 8080)]
    assert published(services["jaeger"]) == [("127.0.0.1", 16686, 16686)]
    assert published(services["prometheus"]) == [("127.0.0.1", 9090, 9090)]
    assert published(services["grafana"]) == [("127.0.0.1", 3000, 3000)]
    assert published(services["kafka"]) == [("127.0.0.1", 9092, 9092)]
    for name in set(platform_services) - {"gateway"}:
        assert "ports" not in services[name], f"{name} is internal: only the gateway is published"
    assert "ports" not in services["postgres"]


def test_published_ports_follow_the_environment(compose_raw: dict[str, Any]) -> None:
    env = {"GATEWAY_PORT": "8090", "PUBLISH_ADDRESS": "0.0.0.0", "KAFKA_PORT": "9192"}
    services = compose_raw["services"]
    assert interpolate(services["gateway"]["ports"][0], env) == "0.0.0.0:8090:8080"
    assert interpolate(services["kafka"]["ports"][0], env) == "0.0.0.0:9192:9092"
    advertised = interpolate(environment_of(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"] or "", env)
    assert "PLAINTEXT_HOST://localhost:9192" in advertised.split(",")


# ---------------------------------------------------------------------------------------------
# Kafka, PostgreSQL and the seed job


def test_kafka_is_a_single_kraft_node_without_automatic_topic_creation(compose: dict[str, Any]) -> None:
    env = environment_of(services_of(compose)["kafka"])
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["CLUSTER_ID"], "the image's KRaft mode requires CLUSTER_ID"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:29093"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"
    assert env["KAFKA_LOG_DIRS"] == "/var/lib/kafka/data"
    assert "kafka-data:/var/lib/kafka/data" in services_of(compose)["kafka"]["volumes"]


def test_postgres_runs_the_init_script(compose: dict[str, Any]) -> None:
    volumes = services_of(compose)["postgres"]["volumes"]
    mount = "./deploy/compose/postgres-init.sh:/docker-entrypoint-initdb.d/10-platform-admin.sh:ro"
    assert mount in volumes
    script = REPO_ROOT / "deploy" / "compose" / "postgres-init.sh"
    assert script.stat().st_mode & 0o111, "executable, so the entrypoint runs it instead of sourcing it"
    bash = shutil.which("bash")
    if bash:
        done = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr


def test_seed_job_writes_demo_clients_into_the_bind_mounted_var_directory(compose: dict[str, Any]) -> None:
    services = services_of(compose)
    seed, demo_dir = services["seed"], services["demo-dir"]
    assert "./var/demo:/var/demo" in seed["volumes"]
    assert "./var/demo:/var/demo" in demo_dir["volumes"]
    assert seed["user"] == "10001:10001", "the seed job runs as the image's non-root user"
    assert command_of(demo_dir)[-1] == "/var/demo"
    assert command_of(demo_dir)[2:6] == ["-o", "10001", "-g", "10001"]


def test_every_mounted_file_exists(compose: dict[str, Any]) -> None:
    for name, service in services_of(compose).items():
        for volume in service.get("volumes") or []:
            source = str(volume).split(":", 1)[0]
            if source.startswith("./deploy/"):
                assert (REPO_ROOT / source).is_file(), f"{name} mounts missing {source}"
