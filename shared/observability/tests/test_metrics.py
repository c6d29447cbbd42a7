from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from shared_observability import (
    count_consumed,
    count_dlq,
    count_published,
    count_reservation,
    observe_http_request,
    render_latest,
    set_consumer_lag,
    set_outbox_lag,
)


def test_render_exposes_every_shared_metric() -> None:
    observe_http_request("gateway", "get", "/orders/{order_id}", 200, 0.012)
    count_consumed("inventory", "orders.order.v1", "on_order_submitted", "ok")
    count_published("enrichment", "orders.order.v1", 2)
    set_consumer_lag("inventory", "orders.order.v1", 0, 5)
    set_outbox_lag("enrichment", 3, 1.5)
    count_dlq("inventory", "oms.inventory-backorder.v1", "VALIDATION")
    count_reservation("inventory", "reserved")

    body, content_type = render_latest()
    assert content_type.startswith("text/plain")
    text = body.decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }

    def value(name: str, **labels: str) -> float:
        return samples[(name, tuple(sorted(labels.items())))]

    assert (
        value(
            "http_requests_total", service="gateway", method="GET", route="/orders/{order_id}", status="200"
        )
        >= 1
    )
    assert (
        value(
            "http_request_duration_seconds_bucket",
            service="gateway",
            method="GET",
            route="/orders/{order_id}",
            le="0.025",
        )
        >= 1
    )
    assert (
        value(
            "kafka_messages_consumed_total",
            service="inventory",
            topic="orders.order.v1",
            handler="on_order_submitted",
            outcome="ok",
        )
        >= 1
    )
    assert value("kafka_messages_published_total", service="enrichment", topic="orders.order.v1") >= 2
    assert value("kafka_consumer_lag", service="inventory", topic="orders.order.v1", partition="0") == 5
    assert value("outbox_lag_events", service="enrichment") == 3
    assert value("outbox_oldest_age_seconds", service="enrichment") == 1.5
    assert (
        value(
            "dlq_messages_total", service="inventory", topic="oms.inventory-backorder.v1", reason="VALIDATION"
        )
        >= 1
    )
    assert value("inventory_reservations_total", service="inventory", outcome="reserved") >= 1
    assert "process_" in text or "python_info" in text
