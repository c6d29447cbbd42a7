"""Every service's `/metrics`, scraped from the real processes: the platform's metric names are
there, and they move when the thing they count happens (a request, a booking, a reservation, a
paused consumer falling behind, a poison message dead-lettered).

The outbox lag gauges moving (an event waiting while Kafka is down, then 0) is shown on the relay
in shared/messaging/tests/test_kafka_down.py; here they are present on every publishing service.
"""

import uuid
from collections.abc import Mapping

import httpx
from aiokafka import AIOKafkaProducer
from prometheus_client.parser import text_string_to_metric_families

from shared_contracts import topics
from shared_messaging.testing import wait_until
from shared_observability.metrics import OPERATOR_METRICS
from shared_testing.distributor import Distributor, inventory_command, load_test_items
from shared_testing.platform import SERVICES, Platform

CONSUMERS = ("enrichment", "appointment", "inventory", "fulfillment")
PUBLISHERS = CONSUMERS  # the gateway neither consumes nor publishes events
PAUSED = "batch window active: Kafka consumers paused"

Samples = list[tuple[str, dict[str, str], float]]


async def scrape(url: str) -> tuple[set[str], Samples]:
    """The declared metric names (`# TYPE` lines) and every sample of one service."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{url}/metrics")
    assert response.status_code == 200
    text = response.text
    declared = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}
    samples = [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]
    return declared, samples


def total(samples: Samples, name: str, labels: Mapping[str, str] | None = None) -> float:
    wanted = labels or {}
    return sum(
        value
        for sample, found, value in samples
        if sample == name and all(found.get(k) == v for k, v in wanted.items())
    )


def present(samples: Samples, name: str, labels: Mapping[str, str] | None = None) -> bool:
    wanted = labels or {}
    return any(
        sample == name and all(found.get(k) == v for k, v in wanted.items()) for sample, found, _ in samples
    )


async def metric(url: str, name: str, labels: Mapping[str, str] | None = None) -> float:
    return total((await scrape(url))[1], name, labels)


async def test_every_service_declares_the_platform_metrics_and_counts_its_requests(
    platform: Platform,
) -> None:
    for service in SERVICES:
        url = platform.urls[service]
        declared, _ = await scrape(url)
        missing = set(OPERATOR_METRICS) - declared
        assert not missing, f"{service} does not declare {missing}"

        route = {"service": service, "route": "/health/ready", "method": "GET"}
        requests_before = await metric(url, "http_requests_total", route | {"status": "200"})
        timed_before = await metric(url, "http_request_duration_seconds_count", route)
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(3):
                assert (await http.get(f"{url}/health/ready")).status_code == 200
        _, samples = await scrape(url)
        assert total(samples, "http_requests_total", route | {"status": "200"}) == requests_before + 3
        assert total(samples, "http_request_duration_seconds_count", route) == timed_before + 3
        assert present(samples, "http_request_duration_seconds_bucket", route | {"le": "0.005"})


async def test_consuming_and_publishing_services_report_consumer_and_outbox_lag(platform: Platform) -> None:
    for service in CONSUMERS:
        url = platform.urls[service]

        async def lag_reported(url: str = url, service: str = service) -> bool:
            return present((await scrape(url))[1], "kafka_consumer_lag", {"service": service})

        await wait_until(lag_reported, seconds=20, interval=0.2, message=f"{service} reports consumer lag")
    for service in PUBLISHERS:
        _, samples = await scrape(platform.urls[service])
        assert present(samples, "outbox_lag_events", {"service": service})
        assert present(samples, "outbox_oldest_age_seconds", {"service": service})


async def test_a_submitted_order_counts_a_booking_and_a_reservation_and_cancelling_counts_too(
    platform: Platform, distributor: Distributor, service_db_urls: dict[str, str], tmp_path_factory
) -> None:
    items = load_test_items(service_db_urls["inventory"], tmp_path_factory.mktemp("items"), {"metered": 10})
    appointment, inventory = platform.urls["appointment"], platform.urls["inventory"]
    booked = {"service": "appointment", "outcome": "booked"}
    cancelled = {"service": "appointment", "outcome": "cancelled"}
    full = {"service": "inventory", "outcome": "full"}
    booked_before = await metric(appointment, "appointment_bookings_total", booked)
    cancelled_before = await metric(appointment, "appointment_bookings_total", cancelled)
    full_before = await metric(inventory, "inventory_reservations_total", full)

    order_id = await distributor.submitted_order(items["metered"], 1)
    assert await distributor.final_status(order_id) == "CONFIRMED"

    assert await metric(appointment, "appointment_bookings_total", booked) == booked_before + 1
    assert await metric(inventory, "inventory_reservations_total", full) == full_before + 1
    await distributor.cancel_booked()
    assert await metric(appointment, "appointment_bookings_total", cancelled) == cancelled_before + 1


async def test_a_paused_consumer_shows_lag_and_a_poison_message_is_counted_in_the_dlq(
    platform: Platform, kafka_bootstrap: str, service_db_urls: dict[str, str]
) -> None:
    inventory = platform.urls["inventory"]
    topic = topics.OMS_INVENTORY_BACKORDERS
    dead_lettered = {"service": "inventory", "topic": topic, "reason": "INVALID_ENVELOPE"}
    dlq_before = await metric(inventory, "dlq_messages_total", dead_lettered)

    paused_before = platform.log("inventory").count(PAUSED)
    inventory_command(service_db_urls["inventory"], "batch-window", "start", "--reason", "metrics test")
    try:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        try:
            # Sent once the consumers are paused (each replica re-reads the window every second).
            await wait_until(
                lambda: platform.log("inventory").count(PAUSED) > paused_before,
                seconds=15,
                message="consumers paused",
            )
            sent = await producer.send_and_wait(
                topic, b"{not an envelope", key=f"poison-{uuid.uuid4().hex}".encode()
            )
        finally:
            await producer.stop()
        partition = {"service": "inventory", "topic": topic, "partition": str(sent.partition)}

        async def behind() -> bool:
            return await metric(inventory, "kafka_consumer_lag", partition) >= 1

        await wait_until(behind, seconds=15, interval=0.2, message="lag shown while paused")
        assert await metric(inventory, "dlq_messages_total", dead_lettered) == dlq_before
    finally:
        inventory_command(service_db_urls["inventory"], "batch-window", "stop")

    async def dead_letter_counted() -> bool:
        return await metric(inventory, "dlq_messages_total", dead_lettered) == dlq_before + 1

    await wait_until(dead_letter_counted, seconds=20, interval=0.2, message="DLQ count after the window")

    async def caught_up() -> bool:
        return await metric(inventory, "kafka_consumer_lag", partition) == 0

    await wait_until(caught_up, seconds=15, interval=0.2, message="lag back to 0")
