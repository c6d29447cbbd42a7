"""The gateway's own Prometheus metrics, served with the shared ones at `/metrics`."""

from prometheus_client import Counter

from shared_observability.metrics import REGISTRY

AUTH_FAILURES = Counter(
    "gateway_auth_failures_total",
    "Requests refused for missing, unknown, wrong or disabled credentials, by reason.",
    ["reason"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "gateway_rate_limited_total",
    "Requests answered 429, by limit (client: request rate; login: failed logins).",
    ["limit"],
    registry=REGISTRY,
)
IDEMPOTENT_REPLAYS = Counter(
    "gateway_idempotent_replays_total",
    "Requests answered with a stored response of the same x-transaction-id.",
    registry=REGISTRY,
)
UPSTREAM_FAILURES = Counter(
    "gateway_upstream_failures_total",
    "Forwarded calls that ended in 503 UNAVAILABLE, by upstream and reason.",
    ["upstream", "reason"],
    registry=REGISTRY,
)
