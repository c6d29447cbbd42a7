"""Appointment learns sub-orders and their installation data from OrderEnriched (INSTALLATION)
on orders.order.v1; OrderCreated is not consumed."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

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


def installation(
    order_id: str,
    sub_order_id: str,
    *,
    start: str = "2030-12-08",
    due: str = "2030-12-19",
    tenant: bool = True,
) -> OrderEnriched:
    return OrderEnriched.model_validate(
        {
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "step": "INSTALLATION",
            "siteAddress": SITE,
            "customerRequestedStartDate": start,
            "customerRequestedDueDate": due,
        }
        | ({"spId": "SP-A", "environment": "sandbox"} if tenant else {})
    )


async def sub_order_row(service: RunningService, sub_order_id: str) -> Any:
    pool = service.runtime.pool
    assert pool is not None
    return await pool.fetchrow("SELECT * FROM sub_orders WHERE sub_order_id = $1", sub_order_id)


async def test_installation_fills_the_read_model(appointment: RunningService, kafka_bootstrap: str) -> None:
    order_id, sub_order_id = f"O-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, installation(order_id, sub_order_id))

    row = await wait_until(lambda: sub_order_row(appointment, sub_order_id), message="installation recorded")
    assert row["installation_complete"]
    assert row["order_id"] == order_id
    assert row["sp_id"] == "SP-A"
    assert row["environment"] == "sandbox"
    assert row["site_address"] == SITE
    assert (row["requested_start"], row["requested_due"]) == (date(2030, 12, 8), date(2030, 12, 19))


async def test_order_created_is_not_consumed(appointment: RunningService, kafka_bootstrap: str) -> None:
    order_id, sub_order_id = f"O-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, order_created(order_id, sub_order_id))
    marker = f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, installation(order_id, marker))  # same partition, after it
    await wait_until(lambda: sub_order_row(appointment, marker), message="the later installation recorded")
    assert await sub_order_row(appointment, sub_order_id) is None


async def test_a_repeated_installation_replaces_its_dates(
    appointment: RunningService, kafka_bootstrap: str
) -> None:
    order_id, sub_order_id = f"O-{uuid.uuid4().hex[:8]}", f"S-{uuid.uuid4().hex[:8]}"
    await publish_event(kafka_bootstrap, installation(order_id, sub_order_id))
    await wait_until(lambda: sub_order_row(appointment, sub_order_id), message="installation recorded")
    await publish_event(
        kafka_bootstrap, installation(order_id, sub_order_id, start="2031-01-06", due="2031-01-10")
    )

    async def replaced() -> Any:
        row = await sub_order_row(appointment, sub_order_id)
        return row if row["requested_start"] == date(2031, 1, 6) else None

    row = await wait_until(replaced, message="the second installation's dates")
    assert row["requested_due"] == date(2031, 1, 10)
    assert (row["sp_id"], row["environment"], row["order_id"]) == ("SP-A", "sandbox", order_id)


async def test_an_installation_without_tenant_completes_a_known_row_only(
    appointment: RunningService, kafka_bootstrap: str
) -> None:
    """Events from before OrderEnriched carried spId / environment: they update what the read
    model has (written by the HTTP fallback), and leave an unknown sub-order to that fallback."""
    order_id, known, unknown = (
        f"O-{uuid.uuid4().hex[:8]}",
        f"S-{uuid.uuid4().hex[:8]}",
        f"S-{uuid.uuid4().hex[:8]}",
    )
    pool = appointment.runtime.pool
    assert pool is not None
    await pool.execute(
        "INSERT INTO sub_orders (sub_order_id, order_id, sp_id, environment, site_address)"
        " VALUES ($1, $2, 'SP-A', 'sandbox', $3)",
        known,
        order_id,
        SITE,
    )
    await publish_event(kafka_bootstrap, installation(order_id, unknown, tenant=False))
    await publish_event(kafka_bootstrap, installation(order_id, known, tenant=False))

    async def completed() -> Any:
        row = await sub_order_row(appointment, known)
        return row if row["installation_complete"] else None

    row = await wait_until(completed, message="the known row completed")
    assert (row["requested_start"], row["requested_due"]) == (date(2030, 12, 8), date(2030, 12, 19))
    assert await sub_order_row(appointment, unknown) is None
