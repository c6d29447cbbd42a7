"""One public request, start to end: admit, check, validate, forward (idempotently), answer.

Order of the checks: credentials (401), role (403), rate (429), owning service enabled (503),
headers and body (400/413), then the `x-transaction-id` claim and the forwarded call (503 when the
service fails). The shared middleware has already checked `x-trace-id`, content type and size.
"""

from __future__ import annotations

import logging

from fastapi import Request, Response
from opentelemetry import trace

from gateway import metrics
from gateway.domain import idempotency, validation
from gateway.domain.fingerprint import request_fingerprint
from gateway.domain.forwarded_headers import MAX_SOURCE_LENGTH, TRACE_HEADER, forwarded_headers
from gateway.domain.routing import Operation, Upstream
from gateway.service_layer.access import Gatekeeper
from gateway.service_layer.forwarding import (
    AT_CAPACITY,
    UpstreamDisabled,
    UpstreamResponse,
    Upstreams,
    UpstreamUnavailable,
)
from gateway.service_layer.idempotency import REPLAY_HEADER, IdempotencyGuard
from shared_contracts.errors import ValidationErrorItem
from shared_http.caller import SOURCE_HEADER, TRANSACTION_HEADER
from shared_http.errors import ApiError

log = logging.getLogger(__name__)


def _unavailable(message: str) -> ApiError:
    return ApiError(503, "UNAVAILABLE", message, headers={"Retry-After": "1"})


def _not_yet(upstream: Upstream) -> ApiError:
    return _unavailable(f"The {upstream.value} service is not available yet")


def _target(request: Request) -> str:
    """The path and query exactly as received (still percent-encoded)."""
    raw_path: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    query: bytes = request.scope.get("query_string", b"")
    return raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


def _header_problems(transaction_id: str | None, source: str | None) -> list[ValidationErrorItem]:
    problems = []
    if transaction_id is not None and not idempotency.valid_key(transaction_id):
        problems.append(
            ValidationErrorItem(
                error="must be 1..255 visible ASCII characters",
                field=TRANSACTION_HEADER,
                inputValue=transaction_id[:100],
            )
        )
    if source is not None and len(source) > MAX_SOURCE_LENGTH:
        problems.append(
            ValidationErrorItem(
                error=f"at most {MAX_SOURCE_LENGTH} characters", field=SOURCE_HEADER, inputValue=source[:100]
            )
        )
    return problems


def _annotate_span(client_id: str, sp_id: str | None, source: str | None) -> None:
    """The caller on the gateway's server span (the trace then shows who called, for which SP)."""
    span = trace.get_current_span()
    span.set_attribute("client.id", client_id)
    if sp_id:
        span.set_attribute("sp.id", sp_id)
    if source:
        span.set_attribute("request.source", source[:MAX_SOURCE_LENGTH])


def _response(answer: UpstreamResponse, *, replayed: bool) -> Response:
    headers = dict(answer.headers)
    if replayed:
        headers[REPLAY_HEADER] = "true"
    return Response(content=answer.body, status_code=answer.status, headers=headers)


class ProxyPipeline:
    def __init__(
        self,
        gatekeeper: Gatekeeper,
        upstreams: Upstreams,
        guard: IdempotencyGuard,
        *,
        max_body_bytes: int,
        max_collection_items: int,
    ) -> None:
        self.gatekeeper = gatekeeper
        self.upstreams = upstreams
        self.guard = guard
        self.max_body_bytes = max_body_bytes
        self.max_collection_items = max_collection_items

    async def handle(self, request: Request, operation: Operation) -> Response:
        headers = request.headers
        client = await self.gatekeeper.admit(
            headers.get("client_id"),
            headers.get("client_secret"),
            operation.role,
            request.client.host if request.client else None,
        )
        _annotate_span(client.client_id, client.sp_id, headers.get(SOURCE_HEADER))
        if not self.upstreams.is_enabled(operation.upstream):
            raise _not_yet(operation.upstream)
        transaction_id = headers.get(TRANSACTION_HEADER)
        source = headers.get(SOURCE_HEADER)
        body = await request.body() if operation.request_model is not None else b""
        if len(body) > self.max_body_bytes:
            raise ApiError(413, "PAYLOAD_TOO_LARGE", f"Request body exceeds {self.max_body_bytes} bytes")
        problems = _header_problems(transaction_id, source) or self._body_problems(request, operation, body)
        if problems:
            raise ApiError(400, "VALIDATION_FAILED", operation.validation_message, validation_errors=problems)

        outgoing = forwarded_headers(
            client,
            trace_id=headers.get(TRACE_HEADER, ""),
            transaction_id=transaction_id,
            source=source,
            has_body=bool(body),
        )
        target = _target(request)

        async def call() -> UpstreamResponse:
            return await self._forward(operation, target, outgoing, body)

        if transaction_id and operation.idempotent:
            fingerprint = request_fingerprint(operation.method, request.scope["path"], body)
            outcome = await self.guard.execute(client.client_id, transaction_id, fingerprint, call)
            return _response(outcome.response, replayed=outcome.replayed)
        return _response(await call(), replayed=False)

    def _body_problems(
        self, request: Request, operation: Operation, body: bytes
    ) -> list[ValidationErrorItem]:
        problems = validation.check_path_identifiers(request.path_params)
        problems += validation.check_query(operation.query_model, request.query_params)
        if operation.request_model is not None:
            problems += validation.check_body(operation.request_model, body, self.max_collection_items)
        return problems

    async def _forward(
        self, operation: Operation, target: str, headers: dict[str, str], body: bytes
    ) -> UpstreamResponse:
        try:
            return await self.upstreams.send(operation.upstream, operation.method, target, headers, body)
        except UpstreamDisabled as disabled:
            raise _not_yet(disabled.upstream) from None
        except UpstreamUnavailable as failure:
            name = failure.upstream.value
            metrics.UPSTREAM_FAILURES.labels(upstream=name, reason=failure.reason[:40]).inc()
            if failure.reason == AT_CAPACITY:  # counted, not logged: under overload, one per request
                raise _unavailable(f"The {name} service is at capacity; retry later") from None
            log.warning(
                "upstream call failed",
                extra={"upstream": name, "reason": failure.reason, "path": operation.path},
            )
            raise _unavailable(f"The {name} service is unavailable; retry later") from None
