"""The appointment service in-process (one per test module) with its own test territory, a fake of
enrichment's internal API over real HTTP, and helpers to seed the read model and call the API.

Every module gets a territory of its own (`T-<random>`, state `ZZ`), so capacity seen by one test
run is never touched by another run sharing the database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest_asyncio
import uvicorn
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from appointment.adapters import reference_data, sub_orders
from appointment.bootstrap import definition
from appointment.config import Settings, TerritorySetting
from appointment.domain.territories import Territory
from appointment.domain.windows import Window, slot_text
from appointment.service_layer.rules import rules_from
from shared_contracts import topics
from shared_contracts.distributor import paths
from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES
from shared_testing.platform import free_port
from shared_testing.services import RunningService, running_service

TEST_STATE = "ZZ"
TEST_ZIP = "10001"


def site(street: str, state: str = TEST_STATE, postal_code: str = TEST_ZIP) -> dict[str, str]:
    return {"street": street, "city": "TESTVILLE", "state": state, "postalCode": postal_code}


@dataclass
class FakeEnrichment:
    """`sub_orders[id]` is answered (to its SP only) as enrichment's internal API would; else 404."""

    url: str = ""
    sub_orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    failing: bool = False

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/internal/v1/sub-orders/{sub_order_id}")
        async def sub_order(sub_order_id: str, request: Request) -> JSONResponse:
            self.requests.append({"subOrderId": sub_order_id, **dict(request.headers)})
            if self.failing:
                return JSONResponse({"status": "ERROR", "code": "INTERNAL_ERROR", "message": "down"}, 500)
            known = self.sub_orders.get(sub_order_id)
            if known is None or known["spId"] != request.headers.get("x-sp-id", known["spId"]):
                return JSONResponse({"status": "ERROR", "code": "NOT_FOUND", "message": "not found"}, 404)
            return JSONResponse(known)

        return app


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def fake_enrichment() -> AsyncIterator[FakeEnrichment]:
    fake = FakeEnrichment()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            fake.app(), host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not server.started:
        if task.done() or loop.time() > deadline:
            raise RuntimeError("fake enrichment did not start")
        await asyncio.sleep(0.02)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


@dataclass(frozen=True)
class Caller:
    """A distributor as the gateway forwards it: identity headers of one SP and environment."""

    sp_id: str
    environment: str = "production"

    def headers(self, transaction_id: str | None = None) -> dict[str, str]:
        headers = {
            "x-client-id": f"client-{self.sp_id}",
            "x-sp-id": self.sp_id,
            "x-environment": self.environment,
            "x-roles": "distributor",
            "x-trace-id": f"trace-{uuid.uuid4().hex[:12]}",
        }
        if transaction_id:
            headers["x-transaction-id"] = transaction_id
        return headers


@dataclass
class Harness:
    service: RunningService
    pool: asyncpg.Pool
    territory: Territory
    enrichment: FakeEnrichment
    mocked_site: dict[str, str]
    """In the territory and in the sandbox's mocked list."""
    unmocked_site: dict[str, str]
    """In the territory, not mocked."""
    next_day: date
    seeded: list[str] = field(default_factory=list)
    """Sub-orders this module wrote into the read model (removed again at the end)."""

    @staticmethod
    def new_caller(environment: str = "production") -> Caller:
        """A new Solution Provider (no data of its own yet)."""
        return Caller(f"sp-{uuid.uuid4().hex[:10]}", environment)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.service.client

    def fresh_days(self, count: int) -> list[date]:
        """`count` working days no other test of this module uses (weeks ahead, so none has started)."""
        days: list[date] = []
        while len(days) < count:
            if self.next_day.weekday() < 5:
                days.append(self.next_day)
            self.next_day += timedelta(days=1)
        return days

    async def open_windows(self, days: list[date], capacity: int) -> list[Window]:
        """The configured windows of `days` in the test territory, with `capacity` each."""
        windows = rules_from(Settings()).schedule.windows_for_days(days)
        async with self.pool.acquire() as conn:
            await reference_data.insert_missing_slots(conn, [self.territory.territory_id], windows, capacity)
        return windows

    async def seed_sub_order(
        self,
        caller: Caller,
        *,
        site_address: dict[str, str] | None = None,
        requested: tuple[date, date] | None = None,
    ) -> tuple[str, str]:
        """A sub-order in the read model (with `requested`: as the installation's OrderEnriched leaves it;
        without: as the HTTP fallback leaves one enrichment knows without installation)."""
        order_id, sub_order_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.seeded.append(sub_order_id)
        async with self.pool.acquire() as conn, conn.transaction():
            await sub_orders.upsert_created(
                conn,
                sub_order_id=sub_order_id,
                order_id=order_id,
                sp_id=caller.sp_id,
                environment=caller.environment,
                site_address=site_address or self.mocked_site,
            )
            if requested is not None:
                await sub_orders.record_installation(
                    conn,
                    sub_order_id=sub_order_id,
                    site_address=None,
                    requested_start=requested[0],
                    requested_due=requested[1],
                )
        return order_id, sub_order_id

    async def dates(self, caller: Caller, order_id: str, sub_order_id: str) -> httpx.Response:
        return await self.http.get(
            paths.APPOINTMENT_DATES,
            params={"orderId": order_id, "subOrderId": sub_order_id},
            headers=caller.headers(),
        )

    async def book(
        self,
        caller: Caller,
        order_id: str,
        sub_order_id: str,
        window: Window,
        transaction_id: str | None = None,
    ) -> httpx.Response:
        body = {
            "orderId": order_id,
            "subOrderId": sub_order_id,
            "startDate": slot_text(window.start),
            "endDate": slot_text(window.end),
        }
        return await self.http.post(paths.APPOINTMENT, json=body, headers=caller.headers(transaction_id))

    async def cancel(self, caller: Caller, appointment_id: str) -> httpx.Response:
        return await self.http.delete(f"{paths.APPOINTMENT}/{appointment_id}", headers=caller.headers())

    async def confirmed(self, caller: Caller, sub_order_id: str) -> httpx.Response:
        return await self.http.get(
            "/internal/v1/appointments", params={"subOrderId": sub_order_id}, headers=caller.headers()
        )

    async def remove_own_data(self) -> None:
        """This module's territory, windows, appointments and sub-orders; nothing of anyone else."""
        sub_order_ids = [*self.seeded, *self.enrichment.sub_orders]
        territory_id = self.territory.territory_id
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """
                DELETE FROM appointments
                 WHERE sub_order_id = ANY($1::text[])
                    OR slot_id IN (SELECT slot_id FROM slots WHERE territory_id = $2)
                """,
                sub_order_ids,
                territory_id,
            )
            await conn.execute("DELETE FROM slots WHERE territory_id = $1", territory_id)
            await conn.execute("DELETE FROM territories WHERE territory_id = $1", territory_id)
            await conn.execute("DELETE FROM sub_orders WHERE sub_order_id = ANY($1::text[])", sub_order_ids)

    async def slot(self, window: Window) -> asyncpg.Record:
        row: asyncpg.Record = await self.pool.fetchrow(
            """
            SELECT slot_id, capacity, booked FROM slots
             WHERE territory_id = $1 AND start_at = $2 AND end_at = $3
            """,
            self.territory.territory_id,
            window.start,
            window.end,
        )
        return row


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def harness(
    kafka_bootstrap: str,
    service_db_urls: dict[str, str],
    platform_topics: list[str],
    fake_enrichment: FakeEnrichment,
) -> AsyncIterator[Harness]:
    run = uuid.uuid4().hex[:8].upper()
    territory = TerritorySetting(
        id=f"T-{run}", name=f"Test territory {run}", state=TEST_STATE, postal_prefixes=[TEST_ZIP]
    )
    mocked = site(f"{run} TEST WAY")
    settings = Settings(
        database_url=service_db_urls["appointment"],
        kafka_bootstrap_servers=kafka_bootstrap,
        enrichment_url=fake_enrichment.url,
        territories=[territory],
        sandbox_addresses=[
            DEFAULT_MOCKED_ADDRESSES[0],
            f"{mocked['street']}, TESTVILLE, {TEST_STATE} {TEST_ZIP}",
        ],
        load_demo_reference_data=True,
        reference_data_days=1,
        slot_capacity=0,
    )
    async with running_service(definition(settings), settings) as service:
        pool = service.runtime.pool
        assert pool is not None
        harness = Harness(
            service=service,
            pool=pool,
            territory=Territory(territory.id, territory.name, TEST_STATE, (TEST_ZIP,)),
            enrichment=fake_enrichment,
            mocked_site=mocked,
            unmocked_site=site(f"{run} OTHER ST"),
            next_day=date.today() + timedelta(days=21),
        )
        try:
            yield harness
        finally:
            await harness.remove_own_data()


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str | None:
    for key, value in record.headers:
        if key == name and value is not None:
            text: str = value.decode()
            return text
    return None


class AppointmentEvents:
    """Records of appointments.appointment.v1 published after the watcher started."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.records: list[ConsumerRecord[bytes, bytes]] = []

    async def start(self) -> None:
        await asyncio.wait_for(self._consumer.start(), 15)
        await self._consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topics.APPOINTMENTS, partition)
            for partition in sorted(self._consumer.partitions_for_topic(topics.APPOINTMENTS) or ())
        ]
        self._consumer.assign(partitions)
        await self._consumer.seek_to_end(*partitions)
        for partition in partitions:  # resolve the lazy seek now, before the test acts
            await self._consumer.position(partition)

    async def stop(self) -> None:
        await asyncio.wait_for(self._consumer.stop(), 10)

    def of_order(self, order_id: str) -> list[ConsumerRecord[bytes, bytes]]:
        return [record for record in self.records if record.key == order_id.encode()]

    async def wait_for_order(self, order_id: str, count: int, seconds: float = 30.0) -> list[Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while len(self.of_order(order_id)) < count:
            if loop.time() > deadline:
                raise TimeoutError(f"{count} events of order {order_id} not seen within {seconds:g} s")
            batch = await self._consumer.getmany(timeout_ms=200)
            for part in batch.values():
                self.records.extend(part)
        return self.of_order(order_id)


@pytest_asyncio.fixture(loop_scope="session")
async def appointment_events(
    kafka_bootstrap: str, platform_topics: list[str]
) -> AsyncIterator[AppointmentEvents]:
    watcher = AppointmentEvents(kafka_bootstrap)
    await watcher.start()
    try:
        yield watcher
    finally:
        await watcher.stop()
