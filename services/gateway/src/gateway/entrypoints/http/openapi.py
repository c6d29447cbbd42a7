"""The gateway's OpenAPI document: every public operation with its schemas, examples and headers.

The served routes take the raw request (the gateway validates and forwards the body itself), so the
document is generated from documentation-only routes with typed signatures, in an app that never
serves. `python -m gateway openapi --out docs/api/openapi.json` writes it; the gateway serves it at
`/openapi.json` and `/docs`.
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Annotated, Any, Final

from fastapi import Body, FastAPI, Header, Path, Query
from fastapi.openapi.models import Example
from pydantic import BaseModel

from gateway.domain.clients import Role
from gateway.domain.idempotency import applies_to
from gateway.domain.routing import OPERATIONS, RETIRED_SUBMIT_MESSAGE, RETIRED_SUBMIT_PATH, Operation
from shared_contracts.distributor import Identifier
from shared_contracts.errors import ErrorBody
from shared_contracts.merchandising import SPEC_SAMPLES, read_spec_sample
from shared_http.health import health_router

API_VERSION: Final = "1.0.0"
TITLE: Final = "Order platform API"
DESCRIPTION: Final = """\
The public API of the order platform, served by its gateway.

* **Distributor API** (`/api/v1`): orders, enrichment, service appointments, summary, submit.
  Needs a credential with the `distributor` role; every order, CDG and appointment belongs to the
  credential's Solution Provider (another SP's ids answer 404).
* **Merchandising API** (`/MerchIntegrations/services/customerOrders`): the customer order services
  of the Merchandising specification. Needs the `merchandising` role.

Every call sends `client_id` and `client_secret` (401 without valid ones, 403 outside the
credential's role) and `x-trace-id` (400 without it; echoed on the response). A body is JSON
(`content-type: application/json`, else 415), at most 1 MiB (413) with at most 1000 entries per
array (400, lower where a schema says so); unknown fields are refused (400). `x-transaction-id` on
a POST/PUT/DELETE write makes the call idempotent per client: the same key with the same body gets
the stored response again (header `idempotent-replay: true`), with another body 409
`IDEMPOTENCY_CONFLICT`. Retry a write that got no answer (or a 503) with the same key: it is
applied once even if the first answer was lost. The lookups sent as POST (order summary, available
inventory) are answered afresh every time. Clients are rate limited (429 with
`Retry-After`). Every error answers the standard error body.
"""

SECURITY_SCHEMES: Final[dict[str, Any]] = {
    "clientId": {
        "type": "apiKey",
        "in": "header",
        "name": "client_id",
        "description": "The client id of the credential.",
    },
    "clientSecret": {
        "type": "apiKey",
        "in": "header",
        "name": "client_secret",
        "description": "The client secret of the credential (shown once when it is issued).",
    },
}

_ERRORS: Final[dict[int, tuple[str, str, str]]] = {
    400: ("VALIDATION_FAILED", "VALIDATION", "Invalid headers, query or body"),
    401: ("UNAUTHORIZED", "AUTHORIZATION", "Missing or invalid client_id / client_secret"),
    403: ("FORBIDDEN", "AUTHORIZATION", "The credential's role does not allow this API"),
    404: ("NOT_FOUND", "NOT_FOUND", "Unknown id, or one of another Solution Provider"),
    409: ("STEP_INCOMPLETE", "BUSINESS", "A business rule or an x-transaction-id conflict"),
    413: ("PAYLOAD_TOO_LARGE", "VALIDATION", "The body is over the size limit"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "VALIDATION", "The body is not application/json"),
    422: ("TEST_DATA", "TEST_DATA", "Sandbox test data missing, or a business rule"),
    429: ("RATE_LIMITED", "RATE_LIMITED", "Too many requests; retry after Retry-After seconds"),
    503: ("UNAVAILABLE", "UNAVAILABLE", "The owning service is unavailable; retry later"),
}


def _error_response(status: int) -> dict[str, Any]:
    code, category, description = _ERRORS[status]
    example = {
        "status": "ERROR",
        "code": code,
        "category": category,
        "message": description,
        "traceId": "3f2a9c1e-7b1d-4c55-9a0e-2d6f8b4c1a77",
    }
    response: dict[str, Any] = {
        "model": ErrorBody,
        "description": description,
        "content": {"application/json": {"example": example}},
    }
    if status in (429, 503):
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}}
        }
    return response


def _error_statuses(operation: Operation) -> list[int]:
    statuses = [400, 401, 403, 429, 503]
    if operation.request_model is not None:
        statuses += [413, 415]
    if operation.role is Role.DISTRIBUTOR:
        statuses += [404, 409, 422]
    elif operation.idempotent:
        statuses.append(409)
    return sorted(statuses)


def _model_examples(model: type[BaseModel]) -> dict[str, Example]:
    extra = model.model_config.get("json_schema_extra")
    found = extra.get("examples", []) if isinstance(extra, dict) else []
    return {
        f"example{index + 1}": Example(summary=f"Example {index + 1}", value=value)
        for index, value in enumerate(found if isinstance(found, list) else [])
    }


def _spec_example(operation: Operation, kind: str) -> dict[str, Example]:
    """The Merchandising specification's sample message of this operation, if it has one."""
    name = f"{operation.path.rsplit('/', 2)[-2]}_{operation.path.rsplit('/', 1)[-1]}_{kind}"
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    if snake not in SPEC_SAMPLES:
        return {}
    sample = json.loads(read_spec_sample(snake))
    return {"specification": Example(summary="Sample message of the specification", value=sample)}


def _parameters(operation: Operation) -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter(
            name,
            keyword,
            annotation=Annotated[Identifier, Path(description="An id; 1..64 of A-Z a-z 0-9 . _ : -")],
        )
        for name in operation.path_parameters
    ]
    if operation.query_model is not None:
        parameters.append(
            inspect.Parameter("query", keyword, annotation=Annotated[operation.query_model, Query()])
        )
    if operation.request_model is not None:
        request_examples = _model_examples(operation.request_model) or _spec_example(operation, "request")
        parameters.append(
            inspect.Parameter(
                "body",
                keyword,
                annotation=Annotated[
                    operation.request_model, Body(openapi_examples=request_examples or None)
                ],
            )
        )
    parameters.append(
        inspect.Parameter(
            "x_trace_id",
            keyword,
            annotation=Annotated[
                str, Header(alias="x-trace-id", description="Trace id of the call; mandatory, echoed back.")
            ],
        )
    )
    if applies_to(operation.method):
        meaning = (
            "Transaction id of the caller (1..255 visible ASCII), forwarded; this lookup changes "
            "nothing, so the id is no idempotency key: a repeated call is answered afresh."
            if operation.read_only
            else "Idempotency key of this call, per client (1..255 visible ASCII)."
        )
        parameters.append(
            inspect.Parameter(
                "x_transaction_id",
                keyword,
                default=None,
                annotation=Annotated[
                    str | None,
                    Header(alias="x-transaction-id", pattern=r"^[\x21-\x7e]{1,255}$", description=meaning),
                ],
            )
        )
    parameters.append(
        inspect.Parameter(
            "source",
            keyword,
            default=None,
            annotation=Annotated[
                str | None,
                Header(alias="source", max_length=255, description="The calling system; recorded."),
            ],
        )
    )
    return parameters


def _documentation_endpoint(operation: Operation) -> Any:
    async def endpoint(**_: Any) -> None:
        """Documentation only: the gateway serves this operation through its proxy pipeline."""

    endpoint.__signature__ = inspect.Signature(_parameters(operation))  # type: ignore[attr-defined]
    endpoint.__name__ = operation.operation_id
    return endpoint


def _success_response(operation: Operation) -> dict[int | str, dict[str, Any]]:
    examples = _spec_example(operation, "response")
    if not examples:
        return {}
    return {operation.success_status: {"content": {"application/json": {"examples": examples}}}}


def _documentation_app() -> FastAPI:
    app = FastAPI(
        title=TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "Distributor", "description": "Order enrichment API (`/api/v1`)."},
            {"name": "Merchandising", "description": "Customer order services of Merchandising."},
            {"name": "operations", "description": "Health probes (no credentials, no x-trace-id)."},
        ],
    )
    for operation in OPERATIONS:
        responses: dict[int | str, dict[str, Any]] = {
            status: _error_response(status) for status in _error_statuses(operation)
        }
        responses.update(_success_response(operation))
        app.add_api_route(
            operation.path,
            _documentation_endpoint(operation),
            methods=[operation.method],
            status_code=operation.success_status,
            response_model=operation.response_model,
            responses=responses,
            summary=operation.summary,
            description=operation.description,
            operation_id=operation.operation_id,
            tags=[operation.tag],
        )

    async def retired_submit(
        x_trace_id: Annotated[str, Header(alias="x-trace-id", description="Trace id of the call.")],
    ) -> None:
        """Documentation only."""

    app.add_api_route(
        RETIRED_SUBMIT_PATH,
        retired_submit,
        methods=["POST"],
        summary="Retired submit path",
        description=f"Always 404: {RETIRED_SUBMIT_MESSAGE}.",
        operation_id="retiredSubmit",
        deprecated=True,
        tags=["Distributor"],
        status_code=404,
        response_model=None,
        # 400 when x-trace-id is missing: the header check runs before any route.
        responses={400: _error_response(400), 404: _error_response(404)},
    )
    app.include_router(health_router({}))
    return app


def _without_framework_validation_errors(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents its own 422 body; the gateway answers invalid requests 400 (`ErrorBody`)."""
    framework_ref = "#/components/schemas/HTTPValidationError"
    for item in document["paths"].values():
        for operation in item.values():
            response = operation.get("responses", {}).get("422", {})
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == framework_ref:
                del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def _secure(document: dict[str, Any]) -> dict[str, Any]:
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    guarded = {operation.path for operation in OPERATIONS}
    for path, item in document["paths"].items():
        if path in guarded:
            for operation in item.values():
                operation["security"] = [{"clientId": [], "clientSecret": []}]
    return document


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The complete document (independent of settings, so the committed copy stays current).

    Built once per process (it takes about a second); callers must not change it.
    """
    return _secure(_without_framework_validation_errors(_documentation_app().openapi()))


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
