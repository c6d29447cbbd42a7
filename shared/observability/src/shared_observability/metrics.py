"""Prometheus metrics every service shares, in one registry served at `/metrics`.

Each metric has a `service` label so that dashboards can aggregate across services. HTTP
`route` must be the route template (`/orders/{order_id}`), never the raw path, to keep the
label set bounded.
"""

from __future__ import annotations

import contextlib
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# The `_created` series double every counter and histogram and no dashboard reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

REGISTRY: Final = CollectorRegistry(auto_describe=True)
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

HTTP_DURATION_BUCKETS: Final = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests served, by route template and status code.",
    ["service", "method", "route", "status"],
    registry=REGISTRY,
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request handling time in seconds, by route template.",
    ["service", "method", "route"],
    buckets=HTTP_DURATION_BUCKETS,
    registry=REGISTRY,
)
KAFKA_MESSAGES_CONSUMED = Counter(
    "kafka_messages_consumed_total",
    "Kafka messages handled, by outcome (e.g. ok, duplicate, retry, dlq).",
    ["service", "topic", "handler", "outcome"],
    registry=REGISTRY,
)
KAFKA_MESSAGES_PUBLISHED = Counter(
    "kafka_messages_published_total",
    "Kafka messages published (acknowledged by the broker).",
    ["service", "topic"],
    registry=REGISTRY,
)
KAFKA_CONSUMER_LAG = Gauge(
    "kafka_consumer_lag",
    "Messages between the committed offset and the end of the partition.",
    ["service", "topic", "partition"],
    registry=REGISTRY,
)
OUTBOX_LAG_EVENTS = Gauge(
    "outbox_lag_events",
    "Outbox rows not yet published.",
    ["service"],
    registry=REGISTRY,
)
OUTBOX_OLDEST_AGE_SECONDS = Gauge(
    "outbox_oldest_age_seconds",
    "Age in seconds of the oldest unpublished outbox row (0 when empty).",
    ["service"],
    registry=REGISTRY,
)
DLQ_MESSAGES = Counter(
    "dlq_messages_total",
    "Messages sent to a dead-letter topic, by source topic and reason (error code).",
    ["service", "topic", "reason"],
    registry=REGISTRY,
)
INVENTORY_RESERVATIONS = Counter(
    "inventory_reservations_total",
    "Inventory reservations (holds), by outcome: a reserve request that held all (full), part"
    " (partial) or nothing (none), and reservations given back (released) or expired.",
    ["service", "outcome"],
    registry=REGISTRY,
)
APPOINTMENT_BOOKINGS = Counter(
    "appointment_bookings_total",
    "Appointment bookings, by outcome: booked (or moved), slot_unavailable, cancelled.",
    ["service", "outcome"],
    registry=REGISTRY,
)


OPERATOR_METRICS: Final = (
    "http_requests_total",
    "http_request_duration_seconds",
    "kafka_consumer_lag",
    "kafka_messages_consumed_total",
    "kafka_messages_published_total",
    "outbox_lag_events",
    "outbox_oldest_age_seconds",
    "dlq_messages_total",
    "inventory_reservations_total",
    "appointment_bookings_total",
)
"""What every service declares at `/metrics` and the Grafana dashboard shows (ADR 0013)."""


def observe_http_request(service: str, method: str, route: str, status: int, duration_seconds: float) -> None:
    """Count one served request and record its duration."""
    HTTP_REQUESTS.labels(service=service, method=method.upper(), route=route, status=str(status)).inc()
    HTTP_REQUEST_DURATION.labels(service=service, method=method.upper(), route=route).observe(
        duration_seconds
    )


def count_consumed(service: str, topic: str, handler: str, outcome: str) -> None:
    KAFKA_MESSAGES_CONSUMED.labels(service=service, topic=topic, handler=handler, outcome=outcome).inc()


def count_published(service: str, topic: str, count: int = 1) -> None:
    KAFKA_MESSAGES_PUBLISHED.labels(service=service, topic=topic).inc(count)


def count_dlq(service: str, topic: str, reason: str) -> None:
    DLQ_MESSAGES.labels(service=service, topic=topic, reason=reason).inc()


def count_reservation(service: str, outcome: str, count: int = 1) -> None:
    INVENTORY_RESERVATIONS.labels(service=service, outcome=outcome).inc(count)


def count_booking(service: str, outcome: str) -> None:
    APPOINTMENT_BOOKINGS.labels(service=service, outcome=outcome).inc()


def set_consumer_lag(service: str, topic: str, partition: int, lag: int) -> None:
    KAFKA_CONSUMER_LAG.labels(service=service, topic=topic, partition=str(partition)).set(lag)


def clear_consumer_lag(service: str, topic: str, partition: int) -> None:
    """Drop the series of a partition this replica no longer holds."""
    with contextlib.suppress(KeyError):
        KAFKA_CONSUMER_LAG.remove(service, topic, str(partition))


def set_outbox_lag(service: str, pending_events: int, oldest_age_seconds: float) -> None:
    OUTBOX_LAG_EVENTS.labels(service=service).set(pending_events)
    OUTBOX_OLDEST_AGE_SECONDS.labels(service=service).set(oldest_age_seconds)


def render_latest() -> tuple[bytes, str]:
    """Body and content type for a `/metrics` response."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
