"""No oversell under concurrent reservations; an expired hold is released once by racing sweepers."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from inventory.domain.batch_window import parse_schedule
from inventory.service_layer.batch_window import BatchWindow
from inventory.service_layer.hold_sweeper import sweep_once
from shared_messaging.testing import wait_until

from .kafka_helpers import header, value
from .reservations_api import reserve_line


async def test_a_hundred_concurrent_reservations_never_take_more_than_the_stock(world, reservations):
    (shop,) = await world.stores("shop")
    (console,) = await world.items("console")
    await world.stock(console, shop, 37)

    results = await asyncio.gather(
        *(
            reservations.reserve(world.order(f"{n}"), "F1", reserve_line(console, shop, 1, itemLineNo=1))
            for n in range(100)
        )
    )

    outcomes = [result["outcome"] for result in results]
    assert outcomes.count("FULL") == 37
    assert outcomes.count("NONE") == 63
    buckets = await world.buckets(console, shop)
    assert (buckets.customer_reserved, buckets.available) == (Decimal(37), Decimal(0))


async def test_expired_holds_are_released_once_even_by_two_sweepers(
    world, reservations, inventory, stock_events
):
    (shop,) = await world.stores("shop")
    (console,) = await world.items("console")
    await world.stock(console, shop, 100)
    held = [
        await reservations.reserve(world.order(f"{n}"), "F1", reserve_line(console, shop, 2, itemLineNo=1))
        for n in range(40)
    ]
    ids = [result["reservationId"] for result in held]
    pool = inventory.runtime.pool
    await pool.execute(
        "UPDATE reservation_lines SET expires_at = now() - interval '1 second' "
        "WHERE reservation_id = ANY($1::uuid[])",
        ids,
    )
    window = BatchWindow(parse_schedule(""))

    async def sweeper() -> int:
        released = 0
        while swept := await sweep_once(pool, window, 3):
            released += swept
        return released

    swept = await asyncio.gather(sweeper(), sweeper())  # the service's own sweeper may join in

    async def all_released() -> bool:  # a sweeper that found everything locked returns early
        return (await world.buckets(console, shop)).customer_reserved == 0

    await wait_until(all_released, seconds=20, message="every expired hold released")
    assert sum(swept) <= 40
    assert (await world.buckets(console, shop)).available == Decimal(100)
    releases = await stock_events.wait_for(
        lambda r: header(r, "ce_type") == "InventoryReleased" and value(r)["reservationId"] in ids,
        count=40,
        settle=1,
    )
    assert sorted(value(record)["reservationId"] for record in releases) == sorted(ids)  # each exactly once
    assert {value(record)["reason"] for record in releases} == {"EXPIRED"}
    lines = await pool.fetch(
        "SELECT status, expired_quantity FROM reservation_lines WHERE reservation_id = ANY($1::uuid[])", ids
    )
    assert {(row["status"], row["expired_quantity"]) for row in lines} == {("EXPIRED", Decimal(2))}
