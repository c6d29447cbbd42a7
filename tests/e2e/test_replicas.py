"""Two replicas of the appointment service (two `python -m appointment` processes, one database, one
consumer group `appointment`): one active outbox relay, partitions shared, no duplicate effects, and
fail-over when the relay's process is killed.

Isolation. This module does not use this folder's `platform` fixture (it starts only its two
appointment processes, no other service). That fixture is package-scoped, so when an earlier module
of the session started it, its appointment process would still be alive here, a third member of the
group and a third candidate for the relay lock: the `no_other_appointment` fixture then stops that
process for this module (SIGTERM: it leaves the group, releases the lock) and starts it again
afterwards. Before starting the replicas it waits until the group coordinator reports the group
without members, and the tests check the group has exactly the two replicas as members.

Per-process evidence: each replica writes its own span file (CONSUMER spans carry the event id and
partition), its own log (the relay logs "outbox relay appointment is active" or "another relay is
active; standing by"), and PostgreSQL's `pg_locks` names the backend holding the relay's advisory
lock, whose client socket is mapped back to the replica's PID through /proc (Linux).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from shared_contracts import topics
from shared_contracts.distributor import paths
from shared_contracts.events import Event, OrderEnriched
from shared_contracts.messages import OutgoingRecord, meta_for
from shared_messaging.testing import read_records, wait_until
from shared_testing.platform import Platform, free_port
from shared_testing.replicas import Replica, group_members, running_replicas, service_paused

SERVICE = "appointment"
GROUP = SERVICE  # consumer group = service name
LOCK_NAME = f"outbox-relay:{SERVICE}"  # shared_messaging.relay: one advisory lock per schema
ACTIVE = f"outbox relay {SERVICE} is active"
STANDING_BY = f"outbox relay {SERVICE}: another relay is active; standing by"
PER_PARTITION = 10  # installation events (OrderEnriched) per partition of orders.order.v1
SITE = {"street": "3400 W PLANO PKWY", "city": "PLANO", "state": "TX", "postalCode": "75075"}  # TX-DFW


# -- fixtures -------------------------------------------------------------------------------------


def _running_package_platform(request: pytest.FixtureRequest) -> Platform | None:
    """This folder's `platform` if an earlier module already started it (without starting it)."""
    for fixturedef in request._fixturemanager.getfixturedefs("platform", request.node) or ():
        cached = fixturedef.cached_result
        if cached is not None and isinstance(cached[0], Platform):
            return cached[0]
    return None


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def no_other_appointment(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """No appointment process of this folder's `platform` is alive while this module runs."""
    platform = _running_package_platform(request)
    if platform is None:
        yield
        return
    async with service_paused(platform, SERVICE):
        yield


async def _group_is_empty(bootstrap: str) -> bool:
    _, members = await group_members(bootstrap, GROUP)
    return not members


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def replicas(
    no_other_appointment: None,
    kafka_bootstrap: str,
    service_db_urls: dict[str, str],
    platform_topics: list[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[list[Replica]]:
    # A member of an earlier in-process appointment that did not leave would expire within its
    # session timeout (10 s); the replicas must be the group's only members.
    await wait_until(
        lambda: _group_is_empty(kafka_bootstrap),
        seconds=45,
        interval=0.5,
        message=f"consumer group {GROUP} without members before the replicas start",
    )
    async with running_replicas(
        SERVICE,
        database_url=service_db_urls[SERVICE],
        kafka_bootstrap=kafka_bootstrap,
        work_dir=tmp_path_factory.mktemp("replicas"),
        count=2,
        # nothing answers there: the read-model fallback must not reach a running enrichment
        extra_env={"ENRICHMENT_URL": f"http://127.0.0.1:{free_port()}"},
    ) as started:
        yield started


@pytest_asyncio.fixture(loop_scope="session")
async def db(service_db_urls: dict[str, str]) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(service_db_urls[SERVICE], timeout=10)
    await conn.execute(f"SET search_path TO {SERVICE}")
    try:
        yield conn
    finally:
        await conn.close()


# -- evidence -------------------------------------------------------------------------------------


def relay_states(replicas: list[Replica]) -> dict[str, str]:
    """What each replica's log says about its relay: the latest of "active" / "standby"."""
    states = {}
    for replica in replicas:
        log = replica.log()
        active, standby = log.rfind(ACTIVE), log.rfind(STANDING_BY)
        if active >= 0 or standby >= 0:
            states[replica.name] = "active" if active > standby else "standby"
    return states


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _inode_of_local_port(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    found.add(fields[9])
    return found


async def relay_lock_holders(db: asyncpg.Connection, replicas: list[Replica]) -> list[str]:
    """The replicas whose database session holds the relay's advisory lock (per pg_locks), found by
    matching the holding backend's client port with the replicas' sockets."""
    rows = await db.fetch(
        """
        SELECT a.client_port
          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)
        """,
        LOCK_NAME,
    )
    alive = [replica for replica in replicas if replica.process.poll() is None]
    holders = []
    for row in rows:
        inodes = _inode_of_local_port(row["client_port"])
        owners = [replica.name for replica in alive if inodes & _socket_inodes(replica.pid)]
        holders += owners or [f"a session of no replica (client port {row['client_port']})"]
    return holders


def handled_events(replica: Replica, event_ids: set[str]) -> list[dict[str, Any]]:
    """The CONSUMER spans of `replica` for the given events."""
    return [
        span
        for span in replica.spans()
        if span["kind"] == "CONSUMER" and span["attributes"].get("messaging.message.id") in event_ids
    ]


async def assigned_partitions(bootstrap: str) -> list[list[int]] | None:
    """Each member's partitions of orders.order.v1, once the group is Stable; else None."""
    state, members = await group_members(bootstrap, GROUP)
    if state != "Stable":
        return None
    return [member.partitions.get(topics.ORDERS, []) for member in members]


# -- event and API helpers ------------------------------------------------------------------------


def installation(order_id: str, sub_order_id: str, sp_id: str) -> OrderEnriched:
    start = date.today() + timedelta(days=14)
    return OrderEnriched.model_validate(
        {
            "orderId": order_id,
            "spId": sp_id,
            "environment": "production",
            "subOrderId": sub_order_id,
            "step": "INSTALLATION",
            "siteAddress": SITE,
            "customerRequestedStartDate": start.isoformat(),
            "customerRequestedDueDate": (start + timedelta(days=28)).isoformat(),
        }
    )


async def publish(bootstrap: str, events: list[Event]) -> list[str]:
    """Publish with CloudEvents headers (as `shared_testing.services.publish_event`, one producer);
    return the event ids."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    ids = []
    try:
        for event in events:
            meta = meta_for(event, "tests")
            record = OutgoingRecord.of(event, meta)
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
            ids.append(str(meta.id))
    finally:
        await producer.stop()
    return ids


def order_ids_covering_partitions(per_partition: int, partitions: int) -> list[str]:
    """Order ids (the record key) such that the default partitioner puts `per_partition` on each."""
    buckets: dict[int, list[str]] = {p: [] for p in range(partitions)}
    while any(len(ids) < per_partition for ids in buckets.values()):
        order_id = str(uuid.uuid4())
        bucket = buckets[(murmur2(order_id.encode()) & 0x7FFFFFFF) % partitions]
        if len(bucket) < per_partition:
            bucket.append(order_id)
    return [order_id for ids in buckets.values() for order_id in ids]


def caller_headers(sp_id: str) -> dict[str, str]:
    """Identity headers as the gateway forwards them."""
    return {
        "x-client-id": f"client-{sp_id}",
        "x-sp-id": sp_id,
        "x-environment": "production",
        "x-roles": "distributor",
        "x-trace-id": f"trace-{uuid.uuid4().hex[:12]}",
    }


async def book_through(replica: Replica, db: asyncpg.Connection, bootstrap: str) -> str:
    """A new sub-order (its installation over Kafka), then a booking over `replica`'s HTTP
    API; return the appointment id."""
    sp_id = f"sp-{uuid.uuid4().hex[:10]}"
    order_id, sub_order_id = str(uuid.uuid4()), str(uuid.uuid4())
    await publish(bootstrap, [installation(order_id, sub_order_id, sp_id)])
    await wait_until(
        lambda: db.fetchval(
            "SELECT requested_start IS NOT NULL FROM sub_orders WHERE sub_order_id = $1", sub_order_id
        ),
        seconds=45,
        interval=0.2,
        message=f"sub-order {sub_order_id} with its installation dates in the read model",
    )
    query = {"orderId": order_id, "subOrderId": sub_order_id}
    async with httpx.AsyncClient(base_url=replica.url, timeout=10) as http:
        dates = await http.get(paths.APPOINTMENT_DATES, params=query, headers=caller_headers(sp_id))
        assert dates.status_code == 200, dates.text
        window = dates.json()["appointmentDates"][0]
        booked = await http.post(
            paths.APPOINTMENT,
            json={**query, "startDate": window["startDate"], "endDate": window["endDate"]},
            headers=caller_headers(sp_id),
        )
    assert booked.status_code == 201, booked.text
    appointment_id: str = booked.json()["appointmentId"]
    return appointment_id


async def booked_records(bootstrap: str, appointment_id: str) -> list[dict[str, Any]]:
    """AppointmentBooked records of `appointment_id` on appointments.appointment.v1 (whole topic)."""
    records = await read_records(bootstrap, topics.APPOINTMENTS, count=10**9, seconds=3)
    found = []
    for record in records:
        headers = {key: value for key, value in record.headers or ()}
        if headers.get("ce_type") != b"AppointmentBooked":
            continue
        body = json.loads(record.value)
        if body.get("appointmentId") == appointment_id:
            found.append(body)
    return found


async def wait_for_booked(bootstrap: str, appointment_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await wait_until(
        lambda: booked_records(bootstrap, appointment_id),
        seconds=30,
        interval=0.5,
        message=f"AppointmentBooked {appointment_id} on {topics.APPOINTMENTS}",
    )
    return found


# -- tests ----------------------------------------------------------------------------------------


async def test_exactly_one_relay_is_active(
    replicas: list[Replica], db: asyncpg.Connection, kafka_bootstrap: str
) -> None:
    states = await wait_until(
        lambda: (s := relay_states(replicas)) and len(s) == len(replicas) and s,
        seconds=30,
        message="both replicas logged their relay's state",
    )
    assert sorted(states.values()) == ["active", "standby"], f"one active relay, one standing by: {states}"
    holders = await relay_lock_holders(db, replicas)
    active = next(name for name, state in states.items() if state == "active")
    assert holders == [active], (
        f"pg_locks: the advisory lock {LOCK_NAME!r} is held by exactly one session, that of the replica "
        f"whose log says it is active ({active}); holders: {holders}"
    )

    # An outbox row written through the standby's API is published once, by the active relay.
    standby = next(r for r in replicas if states[r.name] == "standby")
    appointment_id = await book_through(standby, db, kafka_bootstrap)
    published = await wait_for_booked(kafka_bootstrap, appointment_id)
    assert len(await booked_records(kafka_bootstrap, appointment_id)) == len(published) == 1, (
        "an event written by the standby replica is published exactly once (by the active relay)"
    )


async def test_both_replicas_consume_their_share_without_duplicates(
    replicas: list[Replica], db: asyncpg.Connection, kafka_bootstrap: str
) -> None:
    assignment = await wait_until(
        lambda: assigned_partitions(kafka_bootstrap), seconds=45, message=f"group {GROUP} Stable"
    )
    assert len(assignment) == 2, f"the group's members are exactly the two replicas: {assignment}"
    assert all(assignment), f"each replica has partitions of {topics.ORDERS}: {assignment}"
    assert sorted(p for parts in assignment for p in parts) == list(range(topics.DEFAULT_PARTITIONS)), (
        f"every partition is assigned to exactly one replica: {assignment}"
    )

    sp_id = f"sp-{uuid.uuid4().hex[:10]}"
    order_ids = order_ids_covering_partitions(PER_PARTITION, topics.DEFAULT_PARTITIONS)
    sub_order_ids = [str(uuid.uuid4()) for _ in order_ids]
    events: list[Event] = [installation(o, s, sp_id) for o, s in zip(order_ids, sub_order_ids, strict=True)]
    event_ids = set(await publish(kafka_bootstrap, events))

    await wait_until(
        lambda: db.fetchval(
            "SELECT count(*) = $2 FROM sub_orders WHERE sub_order_id = ANY($1::text[])",
            sub_order_ids,
            len(sub_order_ids),
        ),
        seconds=45,
        interval=0.2,
        message=f"all {len(sub_order_ids)} sub-orders in the read model",
    )
    spans = await wait_until(
        lambda: (
            (found := {r.name: handled_events(r, event_ids) for r in replicas})
            and sum(map(len, found.values())) >= len(event_ids)
            and found
        ),
        seconds=15,
        message="the CONSUMER spans of every event exported",
    )

    counts = {name: len(handled) for name, handled in spans.items()}
    assert all(counts.values()), f"each replica consumed some of the {len(event_ids)} events: {counts}"
    handled_ids = [span["attributes"]["messaging.message.id"] for s in spans.values() for span in s]
    assert sorted(handled_ids) == sorted(event_ids), (
        f"every event was handled exactly once, by one replica only: {counts}"
    )
    partitions = {
        name: {int(span["attributes"]["messaging.destination.partition.id"]) for span in handled}
        for name, handled in spans.items()
    }
    first, second = partitions.values()
    assert not first & second, f"no partition was consumed by both replicas: {partitions}"
    assert sorted(first | second) == list(range(topics.DEFAULT_PARTITIONS)), (
        f"the replicas together consumed every partition: {partitions}"
    )

    per_sub_order = await db.fetch(
        "SELECT sub_order_id, count(*) AS n FROM sub_orders WHERE sub_order_id = ANY($1::text[]) "
        "GROUP BY sub_order_id",
        sub_order_ids,
    )
    assert len(per_sub_order) == len(sub_order_ids), "every sub-order is in the read model"
    assert {row["n"] for row in per_sub_order} == {1}, "every sub-order appears exactly once"
    inbox = await db.fetch(
        "SELECT event_id, count(*) AS n FROM inbox WHERE event_id = ANY($1::uuid[]) GROUP BY event_id",
        [uuid.UUID(event_id) for event_id in event_ids],
    )
    assert len(inbox) == len(event_ids), "the inbox claimed every event"
    assert {row["n"] for row in inbox} == {1}, "the inbox has one row per event (one handler: OrderEnriched)"


async def test_the_survivor_takes_over_after_kill_9(
    replicas: list[Replica], db: asyncpg.Connection, kafka_bootstrap: str
) -> None:
    holders = await relay_lock_holders(db, replicas)
    assert len(holders) == 1, f"one replica holds the relay lock before the kill: {holders}"
    victim = next(r for r in replicas if r.name == holders[0])
    survivor = next(r for r in replicas if r is not victim)

    victim.kill()  # no shutdown: its consumer stays in the group until its session times out

    await wait_until(
        lambda: relay_states([survivor]).get(survivor.name) == "active",
        seconds=30,
        message=f"{survivor.name} logs that its relay became active",
    )
    assert await relay_lock_holders(db, replicas) == [survivor.name], (
        "pg_locks: the survivor's session now holds the relay lock (the killed session's lock is gone)"
    )

    async def rebalanced() -> list[list[int]] | None:
        members = await assigned_partitions(kafka_bootstrap)
        return members if members is not None and len(members) == 1 else None

    assignment = await wait_until(
        rebalanced, seconds=45, interval=0.5, message=f"group {GROUP} Stable with the survivor alone"
    )
    assert assignment == [list(range(topics.DEFAULT_PARTITIONS))], (
        f"after the rebalance the survivor has every partition: {assignment}"
    )

    # New events on every partition are all consumed by the survivor.
    sp_id = f"sp-{uuid.uuid4().hex[:10]}"
    order_ids = order_ids_covering_partitions(1, topics.DEFAULT_PARTITIONS)
    sub_order_ids = [str(uuid.uuid4()) for _ in order_ids]
    event_ids = set(
        await publish(
            kafka_bootstrap,
            [installation(o, s, sp_id) for o, s in zip(order_ids, sub_order_ids, strict=True)],
        )
    )
    handled = await wait_until(
        lambda: (found := handled_events(survivor, event_ids)) and len(found) >= len(event_ids) and found,
        seconds=30,
        interval=0.2,
        message="the survivor handled the new events of every partition",
    )
    assert sorted(int(span["attributes"]["messaging.destination.partition.id"]) for span in handled) == list(
        range(topics.DEFAULT_PARTITIONS)
    ), "the survivor consumed one new event from each partition, the killed replica's ones included"

    # A booking through the survivor: its AppointmentBooked leaves through the survivor's relay.
    appointment_id = await book_through(survivor, db, kafka_bootstrap)
    published = await wait_for_booked(kafka_bootstrap, appointment_id)
    assert len(published) == 1, (
        f"the survivor's relay published the booking's AppointmentBooked to {topics.APPOINTMENTS} once"
    )
