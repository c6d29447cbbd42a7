"""What must hold once the faults healed. Each check waits (bounded) for the platform to catch up
with its own backlog, then asserts; a check that times out fails with what it last saw.

Read through the admin role (it is a member of every service role), straight to PostgreSQL and
to the broker's real port, not through the proxies.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from shared_contracts import topics
from shared_messaging.testing import read_records
from shared_testing.platform import SERVICES, Platform

from .load import BACKORDER_ITEM, Ledger

OUTCOMES = ("CONFIRMED", "PARTIALLY_CONFIRMED", "BACKORDERED")
CATCH_UP_SECONDS = 120.0


async def _eventually(check: Any, seconds: float = CATCH_UP_SECONDS, interval: float = 0.5) -> None:
    """Run `check` (an async function asserting) until it passes; after `seconds` its last
    AssertionError is raised."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            await check()
            return
        except AssertionError:
            if loop.time() >= deadline:
                raise
        await asyncio.sleep(interval)


async def every_process_answers(platform: Platform) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        for service in SERVICES:
            assert platform.processes[service].poll() is None, f"{service} exited"

            async def ready(service: str = service) -> None:
                try:
                    response = await http.get(f"{platform.urls[service]}/health/ready")
                except httpx.TransportError as error:
                    raise AssertionError(f"{service} does not answer: {error!r}") from error
                assert response.status_code == 200, f"{service} not ready: {response.text[:300]}"

            await _eventually(ready, seconds=60)


async def outboxes_drained(conn: asyncpg.Connection) -> None:
    async def drained() -> None:
        left = {
            service: await conn.fetchval(f"SELECT count(*) FROM {service}.outbox") for service in SERVICES
        }
        assert not any(left.values()), f"outbox rows left: {left}"

    await _eventually(drained)


async def accepted_orders_exist_once(conn: asyncpg.Connection, ledger: Ledger) -> None:
    rows = await conn.fetch(
        "SELECT external_order_id, array_agg(order_id::text) AS ids FROM enrichment.orders "
        "WHERE external_order_id = ANY($1::text[]) GROUP BY external_order_id",
        sorted(ledger.sent_external_ids),
    )
    found = {row["external_order_id"]: row["ids"] for row in rows}
    duplicated = {external: ids for external, ids in found.items() if len(ids) > 1}
    assert not duplicated, f"orders created more than once: {duplicated}"
    missing = {
        external: order_id
        for external, order_id in ledger.accepted.items()
        if found.get(external) != [order_id]
    }
    assert not missing, f"accepted orders missing: {missing}"


async def submitted_orders_reach_an_outcome(conn: asyncpg.Connection, ledger: Ledger) -> None:
    async def settled() -> None:
        rows = await conn.fetch(
            "SELECT order_id::text, status FROM enrichment.orders WHERE order_id = ANY($1::uuid[])",
            sorted(ledger.submitted),
        )
        pending = {row["order_id"]: row["status"] for row in rows if row["status"] not in OUTCOMES}
        assert len(rows) == len(ledger.submitted), "submitted orders missing from enrichment"
        assert not pending, f"{len(pending)} submitted orders without a fulfillment outcome: {pending}"

    await _eventually(settled)


async def no_slot_over_capacity(conn: asyncpg.Connection) -> None:
    """`booked` within capacity, and equal to the appointments holding the slot (a booking lost
    after taking capacity, or taken twice, shows as a difference)."""
    rows = await conn.fetch(
        """
        SELECT s.slot_id, s.capacity, s.booked, count(a.appointment_id) AS holding
        FROM appointment.slots s
        LEFT JOIN appointment.appointments a
          ON a.slot_id = s.slot_id AND a.status IN ('initialized', 'confirmed', 'completed')
        GROUP BY s.slot_id HAVING s.booked > s.capacity OR s.booked <> count(a.appointment_id)
        """
    )
    assert not rows, f"slots over capacity or miscounted: {[dict(row) for row in rows]}"


async def inventory_buckets_match_holds(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        """
        SELECT s.item, s.location, s.customer_reserved, coalesce(h.held, 0) AS held
        FROM inventory.stock s
        LEFT JOIN (SELECT item, location, sum(quantity) AS held FROM inventory.reservation_lines
                   WHERE status IN ('HELD', 'CONFIRMED') GROUP BY item, location) h
          ON h.item = s.item AND h.location = s.location
        WHERE s.customer_reserved <> coalesce(h.held, 0)
        """
    )
    assert not rows, f"customer_reserved differs from the open holds: {[dict(row) for row in rows]}"


async def oms_commands_applied_once(
    conn: asyncpg.Connection, ledger: Ledger, bootstrap: str, backorder_before: Decimal
) -> None:
    """Backorders: the bucket grew by exactly 3 per acknowledged command (a redelivered command
    applied twice, or one lost, shows), give or take the sends whose fate the client could not know.
    Fulfillment orders: each acknowledged or accepted one exists exactly once."""
    step = Decimal(BACKORDER_ITEM["backorderQuantity"])

    async def applied() -> None:
        now = await conn.fetchval(
            "SELECT backorder FROM inventory.stock WHERE item = $1 AND location = $2",
            BACKORDER_ITEM["item"],
            BACKORDER_ITEM["location"],
        )
        grown = Decimal(now) - backorder_before
        low = step * len(ledger.backorders_sent)
        high = step * (len(ledger.backorders_sent) + ledger.backorders_uncertain)
        assert low <= grown <= high, f"backorder grew by {grown}, expected {low}..{high}"
        numbers = sorted(set(ledger.kafka_fulfillment_orders.values()) | ledger.http_fulfillment_orders)
        rows = await conn.fetch(
            "SELECT customer_order_no, count(*) AS n FROM fulfillment.fulfillment_orders "
            "WHERE customer_order_no = ANY($1::text[]) GROUP BY customer_order_no",
            numbers,
        )
        counts = {row["customer_order_no"]: row["n"] for row in rows}
        wrong = {number: counts.get(number, 0) for number in numbers if counts.get(number, 0) != 1}
        assert not wrong, f"fulfillment orders not there exactly once: {wrong}"

    await _eventually(applied)
    outcomes = await read_records(bootstrap, topics.INVENTORY_STOCK, count=10**9, seconds=5)
    answered = {_header(record, "x-transaction-id") for record in outcomes}
    unanswered = [transaction for transaction in ledger.backorders_sent if transaction not in answered]
    assert not unanswered, f"backorder commands without an outcome event: {unanswered}"


async def dead_letter_queues_empty(bootstrap: str) -> None:
    """Every command and event sent was valid: none may end in a DLQ."""
    dlqs = [topics.dlq(topic) for topic in topics.EVENT_TOPICS]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await asyncio.wait_for(consumer.start(), 15)
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in dlqs
            for partition in (consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))
        ]
        ends = await asyncio.wait_for(consumer.end_offsets(partitions), 15)
    finally:
        await asyncio.wait_for(consumer.stop(), 10)
    filled = {topic for (topic, _), end in ((tp, end) for tp, end in ends.items()) if end > 0}
    if filled:
        letters = {topic: await read_records(bootstrap, topic, count=10**9, seconds=3) for topic in filled}
        shown = {
            topic: [
                (_header(r, "x-error-code"), _header(r, "x-error"), r.value[:200] if r.value else None)
                for r in records[:5]
            ]
            for topic, records in letters.items()
        }
        raise AssertionError(f"valid messages in dead-letter queues: {json.dumps(shown, default=str)}")


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await asyncio.wait_for(consumer._client.force_metadata_update(), 15)
    return consumer.partitions_for_topic(topic) or set()


def _header(record: Any, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return str(value.decode())
    return None


async def _sessions(conn: asyncpg.Connection) -> str:
    """What holds or waits for locks when a check fails (a stuck transaction is the usual cause)."""
    rows = await conn.fetch(
        "SELECT pid, usename, state, wait_event_type, now() - xact_start AS age, left(query, 160) AS query "
        "FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start"
    )
    return "\n".join(str(dict(row)) for row in rows)


async def backorder_now(conn: asyncpg.Connection) -> Decimal:
    value = await conn.fetchval(
        "SELECT backorder FROM inventory.stock WHERE item = $1 AND location = $2",
        BACKORDER_ITEM["item"],
        BACKORDER_ITEM["location"],
    )
    return Decimal(value or 0)


async def healed(
    platform: Platform, admin_url: str, bootstrap: str, ledger: Ledger, backorder_before: Decimal
) -> None:
    """Every check of the suite, in the order that waits least (processes first)."""
    await every_process_answers(platform)
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        await submitted_orders_reach_an_outcome(conn, ledger)
        await accepted_orders_exist_once(conn, ledger)
        await oms_commands_applied_once(conn, ledger, bootstrap, backorder_before)
        await outboxes_drained(conn)
        await no_slot_over_capacity(conn)
        await inventory_buckets_match_holds(conn)
    except AssertionError as failed:
        raise AssertionError(f"{failed}\nsessions in a transaction:\n{await _sessions(conn)}") from None
    finally:
        await conn.close(timeout=5)
    await dead_letter_queues_empty(bootstrap)
    await every_process_answers(platform)
