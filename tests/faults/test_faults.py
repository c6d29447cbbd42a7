"""Faults under a steady load of distributor journeys and OMS traffic; after each has healed, the
platform has lost nothing, duplicated nothing and nothing hangs (checks.py).

Run: `make test-faults` (reduced form, also part of `make test`) or `make test-faults FULL=1`.
What each scenario proves:
- kill -9 of each service in turn: work cut off mid-transaction or mid-publish is neither lost nor
  doubled (outbox, inbox, gateway idempotency), and a restarted service takes its partitions back;
- Kafka broker restart: producers (relays, the OMS) and consumers reconnect by themselves, nothing
  published is lost and nothing goes to a DLQ because the broker was away;
- PostgreSQL restart (immediate, i.e. a crash and recovery): every pool recovers its connections,
  relays and consumers resume, committed work survives;
- a consumer frozen (SIGSTOP) beyond its max poll interval: the group drops it, and when it wakes
  up it rejoins and its late commits do not lose or double anything;
- connections cut by a TCP proxy between every service and Kafka/PostgreSQL (reset, and refused for
  a moment): the same, with the processes alive all along.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest
import pytest_asyncio

from shared_testing.platform import SERVICES
from shared_testing.replicas import group_members

from .checks import backorder_now, healed
from .conftest import READY_SECONDS, SCALE, Stack
from .load import Ledger, Load

# A backstop only (every wait is bounded); service restarts are slow on a busy machine.
pytestmark = pytest.mark.timeout(1800)


class Scenario:
    """One fault scenario: the load before, during and after the fault, then every check."""

    def __init__(self, stack: Stack, backorder_before: Decimal) -> None:
        self.stack = stack
        self.backorder_before = backorder_before
        self.ledger = Ledger()
        self.load = Load(
            stack.platform.urls["gateway"],
            stack.bootstrap,
            stack.credentials,
            self.ledger,
            journeys=SCALE.journeys,
            oms_interval=SCALE.oms_interval,
            step_seconds=SCALE.step_seconds,
        )

    async def steady(self) -> None:
        await asyncio.sleep(SCALE.between)

    async def check(self) -> None:
        print(f"\n{self.ledger.summary()}")
        assert self.ledger.submitted, "the load submitted no order: the scenario proves nothing"
        await healed(
            self.stack.platform,
            self.stack.admin_url,
            self.stack.bootstrap,
            self.ledger,
            self.backorder_before,
        )


@pytest_asyncio.fixture(loop_scope="session")
async def scenario(stack: Stack) -> AsyncIterator[Scenario]:
    conn = await asyncpg.connect(stack.admin_url, timeout=10)
    try:
        before = await backorder_now(conn)
    finally:
        await conn.close(timeout=5)
    yield Scenario(stack, before)


async def test_kill_9_each_service_in_turn(scenario: Scenario) -> None:
    platform = scenario.stack.platform
    async with scenario.load.running():
        for _ in range(SCALE.rounds):
            for service in SERVICES:
                await scenario.steady()
                platform.kill(service)
                await asyncio.sleep(1)
                await platform.restart(service, READY_SECONDS)
        await scenario.steady()
    await scenario.check()


async def test_kafka_broker_restart(scenario: Scenario) -> None:
    async with scenario.load.running():
        for _ in range(SCALE.rounds):
            await scenario.steady()
            await asyncio.to_thread(scenario.stack.kafka.restart)
        await scenario.steady()
    await scenario.check()


async def test_postgres_crash_and_restart(scenario: Scenario) -> None:
    async with scenario.load.running():
        for _ in range(SCALE.rounds):
            await scenario.steady()
            await asyncio.to_thread(scenario.stack.postgres.crash_restart)
        await scenario.steady()
    await scenario.check()


async def test_consumer_paused_beyond_its_max_poll_interval(scenario: Scenario) -> None:
    stack = scenario.stack
    async with scenario.load.running():
        for _ in range(SCALE.rounds):
            for service in SCALE.paused_services:
                await scenario.steady()
                stack.platform.freeze(service)
                try:
                    # The group coordinator drops the frozen member: proof the pause was long enough.
                    await _wait_group_empty(stack.bootstrap, service, SCALE.pause_seconds)
                    await asyncio.sleep(2)
                finally:
                    stack.platform.thaw(service)
                await _wait_group_has_members(stack.bootstrap, service, 60)
        await scenario.steady()
    await scenario.check()


async def test_connections_cut_by_the_proxy(scenario: Scenario) -> None:
    stack = scenario.stack
    async with scenario.load.running():
        for _ in range(SCALE.rounds):
            for proxy in (stack.pg_proxy, stack.kafka_proxy):
                await scenario.steady()
                proxy.cut()
                await scenario.steady()
                proxy.toggle_blackout()  # every connection reset, new ones refused ...
                await asyncio.sleep(3)
                proxy.toggle_blackout()  # ... for 3 s
        await scenario.steady()
    await scenario.check()


async def _wait_group_empty(bootstrap: str, group: str, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        state, members = await group_members(bootstrap, group)
        if not members:
            return
        assert loop.time() < deadline, (
            f"group {group} still has its frozen member ({state}) after {seconds:g} s"
        )
        await asyncio.sleep(0.5)


async def _wait_group_has_members(bootstrap: str, group: str, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        state, members = await group_members(bootstrap, group)
        if members and state == "Stable":
            return
        assert loop.time() < deadline, f"group {group} did not rejoin within {seconds:g} s ({state})"
        await asyncio.sleep(0.5)
