"""schemathesis against the gateway's OpenAPI document, every operation, on the running platform.

The document is the committed `docs/api/openapi.json`, which the gateway's tests keep equal to the
one it serves at `/openapi.json` (loaded eagerly: schemathesis's fixture-based loader does not work
with pytest 9).

Each generated request (valid and invalid data) carries a valid credential (the `oms` client on the
Merchandising paths, a distributor on the others) and an `x-trace-id`; the answer must not be a
server error and must conform to the document: a documented status code, content type, headers and
body schema. Generation is derandomized with a fixed seed, so a run is reproducible (the platform's
state, e.g. orders created earlier, still shapes the answers).

Reduced by default (a few examples per operation, no coverage phase); `FUZZ_FULL=1` runs the full
form (more examples and schemathesis's coverage phase of boundary values).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from shared_contracts.distributor import paths
from shared_testing.platform import Platform

FULL = os.environ.get("FUZZ_FULL") == "1"
SEED = 20_261_123
MAX_EXAMPLES = 60 if FULL else 8
MERCHANDISING_PREFIX = "/MerchIntegrations/"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def fuzz_config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # the credentials are set per call (below), not generated
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": FULL}, "stateful": {"enabled": False}},
        }
    )


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"
schema = schemathesis.openapi.from_path(DOCUMENT, config=fuzz_config())


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def credential_headers(path: str, demo_clients: dict[str, Any]) -> dict[str, str]:
    if path.startswith(paths.API_PREFIX):
        client = demo_clients["sandbox-sp"]
    elif path.startswith(MERCHANDISING_PREFIX):
        client = demo_clients["oms"]
    else:  # health checks need none
        return {}
    return {"client_id": client["client_id"], "client_secret": client["client_secret"]}


@pytest.mark.timeout(600)  # the first operation's includes starting the platform on a busy machine
@schema.parametrize()
def test_no_server_error_and_every_answer_as_documented(
    case: Case, platform: Platform, demo_clients: dict[str, Any], http: requests.Session
) -> None:
    request = case.as_transport_kwargs(
        base_url=platform.urls["gateway"], headers=credential_headers(case.path, demo_clients)
    )
    # Set after serializing: schemathesis drops a header its negative "missing header" cases lack.
    request["headers"]["x-trace-id"] = f"fuzz-{uuid.uuid4().hex}"
    response = http.request(**request, timeout=30)
    case.validate_response(response, checks=CHECKS)
