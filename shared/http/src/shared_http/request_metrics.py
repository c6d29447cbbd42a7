"""Pure-ASGI middleware counting requests and timing them per route template (not per raw path)."""

import time

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared_observability import metrics


class RequestMetrics:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture_status)
        finally:
            elapsed = time.perf_counter() - started
            metrics.observe_http_request(
                self.service, scope["method"], _route_template(scope), status, elapsed
            )


def _route_template(scope: Scope) -> str:
    # The router leaves the matched route in the scope (one regex check: a route of a router
    # included with a prefix keeps its own, shorter path). Matching every route again is only
    # needed for answers given before routing (e.g. the header checks' rejections).
    matched = scope.get("route")
    regex = getattr(matched, "path_regex", None)
    if regex is not None and regex.match(scope["path"]):
        return str(matched.path)  # type: ignore[union-attr]  # has path_regex, so a route
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", ()):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", scope["path"]))
    return "unmatched"
