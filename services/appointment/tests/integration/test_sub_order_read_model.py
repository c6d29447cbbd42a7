"""Appointment learns sub-orders and their installation data from orders.order.v1."""

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest

from appointment.bootstrap import definition
from appointment.config import Settings
from shared_contracts.events import OrderCreated, OrderEnriched
from shared_messaging.testing import wait_until
from shared_testing.services import RunningService, publish_event, running_service

SITE = {"street": "2270 LAKESIDE BLVD", "city": "RICHARDSON", "state": "TX", "postalCode": "75082"}


@pytest.fixture
async def appointment(
    kafka_bootstrap: str, service_db_urls: dict[str, str], platform_topics: list[str]
) -> AsyncIterator[RunningService]:
    settings = Settings(database_url=service_db_urls["appointment"], kafka_bootstrap_servers=kafka_bootstrap)
    async with running_service(definition(), settings) as service:
        yield service


def order_created(order_id: str, sub_order_id: str) -> OrderCreated:
    return OrderCreated.model_validate(
        {
            "orderId": order_id,
            "contractId": f"C-{order_id}",
            "spId": "SP-A",
            "quoteId": "Q-1",
            "environment": "sandbox",
            "subOrders": [
                {
                    "subOrderId": sub_order_id,
                    "siteAddress": SITE,
                    "items": [{"orderItemId": "OI-1", "item": "100100068", "quantity": 2}],
                }
            ],
        }
    )


def installation(order_id: str, sub_order_id: str) -> OrderEnriched:
    return OrderEnriched.model_validate(
        {
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "step": "INSTALLATION",
            "siteAddress": SITE,
            "customerRequestedStartDate": "2030-12-08",
            "customerRequestedDueDate": "2030-12-19",
        }
    )


async def test_order_created_then_installation_fill_the_read_model(
    appointment: RunningService, kafka_bootstrap: str
) -> None:
    order_id, sub_order_id = f"O-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, order_created(order_id, sub_order_id))
    await publish_event(kafka_bootstrap, installation(order_id, sub_order_id))

    pool = appointment.runtime.pool
    assert pool is not None
    row = await wait_until(
        lambda: pool.fetchrow(
            "SELECT * FROM sub_orders WHERE sub_order_id = $1 AND installation_complete", sub_order_id
        ),
        message="installation recorded",
    )
    assert row["order_id"] == order_id
    assert row["sp_id"] == "SP-A"
    assert row["environment"] == "sandbox"
    assert row["site_address"] == SITE
    assert (row["requested_start"], row["requested_due"]) == (date(2030, 12, 8), date(2030, 12, 19))


async def test_a_redelivered_order_created_changes_nothing(
    appointment: RunningService, kafka_bootstrap: str
) -> None:
    order_id, sub_order_id = f"O-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, order_created(order_id, sub_order_id))
    pool = appointment.runtime.pool
    assert pool is not None
    await wait_until(lambda: pool.fetchval("SELECT 1 FROM sub_orders WHERE sub_order_id = $1", sub_order_id))
    await publish_event(kafka_bootstrap, installation(order_id, sub_order_id))
    await wait_until(
        lambda: pool.fetchval(
            "SELECT installation_complete FROM sub_orders WHERE sub_order_id = $1", sub_order_id
        )
    )
    # A second OrderCreated for the same sub-order (a producer retry) must not reset installation.
    await publish_event(kafka_bootstrap, order_created(order_id, sub_order_id))
    marker = f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, order_created(order_id, marker))  # same partition, after it
    await wait_until(lambda: pool.fetchval("SELECT 1 FROM sub_orders WHERE sub_order_id = $1", marker))
    assert await pool.fetchval(
        "SELECT installation_complete FROM sub_orders WHERE sub_order_id = $1", sub_order_id
    )
