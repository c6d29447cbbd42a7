"""Pure-ASGI checks every API request passes before routing: trace id, content type, body size.

A plain ASGI middleware (not BaseHTTPMiddleware) keeps the hot path cheap and streams untouched.
"""

import json
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_contracts.errors import ErrorBody, ErrorCategory

TRACE_HEADER = b"x-trace-id"
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class _TooLarge(Exception):
    pass


class RequestHeaderChecks:
    """400 without `x-trace-id`, 415 for a body that is not JSON, 413 over `max_body_bytes`.

    Paths under `exempt_prefixes` (health, metrics, docs) skip the checks. Every response echoes
    the request's `x-trace-id`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = 1_048_576,
        exempt_prefixes: Iterable[str] = ("/health", "/metrics", "/docs", "/openapi.json", "/redoc"),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        trace_id = headers.get(TRACE_HEADER, b"").decode("latin-1").strip()
        if not trace_id:
            await _reject(
                send,
                400,
                "MISSING_TRACE_ID",
                "Header x-trace-id is mandatory",
                None,
                ErrorCategory.VALIDATION,
            )
            return
        if scope["method"] in _BODY_METHODS:
            length = headers.get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await _reject(send, 413, "PAYLOAD_TOO_LARGE", self._too_large_message(), trace_id)
                return
            content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            has_body = length not in (None, b"0") or b"transfer-encoding" in headers
            if has_body and content_type != b"application/json":
                await _reject(
                    send, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json", trace_id
                )
                return

        async def send_with_trace(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == TRACE_HEADER for name, _ in headers):
                    headers.append((TRACE_HEADER, trace_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, bounded_receive, send_with_trace)
        except _TooLarge:
            await _reject(send, 413, "PAYLOAD_TOO_LARGE", self._too_large_message(), trace_id)

    def _too_large_message(self) -> str:
        return f"Request body exceeds {self.max_body_bytes} bytes"


async def _reject(
    send: Send,
    status: int,
    code: str,
    message: str,
    trace_id: str | None,
    category: ErrorCategory = ErrorCategory.VALIDATION,
) -> None:
    body = ErrorBody(code=code, category=category, message=message, trace_id=trace_id).to_json_dict()
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if trace_id:
        headers.append((TRACE_HEADER, trace_id.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
