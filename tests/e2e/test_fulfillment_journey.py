"""A distributor journey through the gateway on the real processes, on to fulfillment and inventory:
enough stock ends CONFIRMED with the stock reserved at the shipping virtual warehouse; too little
ends PARTIALLY_CONFIRMED with the shortage backordered. Inventory's invariant is checked with the
admin URL (tests only). Appointments booked here are cancelled at the end."""

from decimal import Decimal

import asyncpg
import pytest

from shared_messaging.testing import wait_until
from shared_testing.distributor import SHIPPING_WAREHOUSE, Distributor, load_test_items


@pytest.fixture(scope="module")
def items(service_db_urls: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two items of our own at the shipping virtual warehouse: `plenty` (50 units), `scarce` (1)."""
    work_dir = tmp_path_factory.mktemp("items")
    return load_test_items(service_db_urls["inventory"], work_dir, {"plenty": 50, "scarce": 1})


async def reservation_lines(admin_url: str, order_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(admin_url)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(
            "SELECT l.item, l.location, l.quantity, l.status FROM inventory.reservation_lines l "
            "JOIN inventory.reservations r USING (reservation_id) WHERE r.customer_order_no = $1",
            order_id,
        )
        return rows
    finally:
        await conn.close()


async def invariant_holds(admin_url: str, items: list[str]) -> bool:
    conn = await asyncpg.connect(admin_url)
    try:
        broken = await conn.fetchval(
            """
            SELECT count(*) FROM inventory.stock s
            LEFT JOIN (SELECT item, location, sum(quantity) AS held FROM inventory.reservation_lines
                       WHERE status IN ('HELD', 'CONFIRMED') GROUP BY item, location) h
              ON h.item = s.item AND h.location = s.location
            WHERE s.item = ANY($1::text[]) AND s.customer_reserved <> coalesce(h.held, 0)
            """,
            items,
        )
        return bool(broken == 0)
    finally:
        await conn.close()


async def test_enough_stock_ends_confirmed_with_the_stock_reserved(
    distributor: Distributor, items: dict[str, str], pg_admin_url: str
) -> None:
    order_id = await distributor.submitted_order(items["plenty"], 2)
    assert await distributor.final_status(order_id) == "CONFIRMED"
    lines = await wait_until(
        lambda: _confirmed_lines(pg_admin_url, order_id), seconds=15, message="holds confirmed"
    )
    assert [(line["item"], line["location"], line["quantity"]) for line in lines] == [
        (items["plenty"], SHIPPING_WAREHOUSE, Decimal(2))
    ]
    assert await invariant_holds(pg_admin_url, [items["plenty"]])


async def test_too_little_stock_ends_partially_confirmed_with_the_backorder_recorded(
    distributor: Distributor, items: dict[str, str], pg_admin_url: str
) -> None:
    scarce_item = items["scarce"]
    order_id = await distributor.submitted_order(scarce_item, 3)
    assert await distributor.final_status(order_id) == "PARTIALLY_CONFIRMED"

    async def backorder() -> Decimal:
        conn = await asyncpg.connect(pg_admin_url)
        try:
            value = await conn.fetchval(
                "SELECT backorder FROM inventory.stock WHERE item = $1 AND location = $2",
                scarce_item,
                SHIPPING_WAREHOUSE,
            )
            return Decimal(value or 0)
        finally:
            await conn.close()

    assert await wait_until(backorder, seconds=15, message="backorder recorded") == 2
    assert await wait_until(
        lambda: invariant_holds(pg_admin_url, [scarce_item]), seconds=15, message="invariant"
    )


async def _confirmed_lines(admin_url: str, order_id: str) -> list[asyncpg.Record]:
    lines = await reservation_lines(admin_url, order_id)
    return lines if lines and all(line["status"] == "CONFIRMED" for line in lines) else []
