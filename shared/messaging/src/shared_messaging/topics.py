"""Topic administration: create the platform's topics and their dead-letter queues.

The broker's automatic topic creation is off, so topics exist only when this (or a Strimzi
`KafkaTopic`) made them. `python -m shared_messaging topics create` creates every topic of
`shared_contracts.topics.ALL_TOPICS` on `KAFKA_BOOTSTRAP_SERVERS`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Iterable, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from shared_contracts.topics import ALL_TOPICS, dlq, is_dlq
from shared_messaging.broker import bounded
from shared_messaging.settings import KafkaSettings

_logger = logging.getLogger(__name__)


def with_dlqs(topics: Iterable[str]) -> list[str]:
    """`topics` and the DLQ of each (a DLQ has none), without duplicates, in order."""
    names: dict[str, None] = {}
    for topic in topics:
        names[topic] = None
        if not is_dlq(topic):
            names[dlq(topic)] = None
    return list(names)


async def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = 1,
    timeout_seconds: float = 30.0,
) -> list[str]:
    """Create each of `topics` and its `<topic>.dlq` unless it exists; return the names created.

    The whole call (connect, list, create) is bounded by `timeout_seconds`.
    """
    wanted = with_dlqs(topics)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=max(1_000, int(timeout_seconds * 1000 / 2)),
    )

    async def create() -> list[str]:
        await admin.start()
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(name, partitions, replication_factor) for name in missing]
        )
        created: list[str] = []
        for result in response.to_object()["topic_errors"]:
            name, code = result["topic"], result["error_code"]
            if not code:
                created.append(name)
                continue
            error = for_code(code)
            if error is TopicAlreadyExistsError:  # created concurrently by someone else
                continue
            raise error(f"creating topic {name}: {result.get('error_message') or f'error code {code}'}")
        return created

    try:
        return await bounded(create(), timeout_seconds, "topic creation")
    finally:
        await asyncio.wait_for(admin.close(), 10)


async def create_all_topics(settings: KafkaSettings, topics: Sequence[str] = ALL_TOPICS) -> list[str]:
    """Every platform topic and DLQ, with the configured partitions and replication factor."""
    return await ensure_topics(
        settings.kafka_bootstrap_servers,
        topics,
        settings.kafka_topic_partitions,
        replication_factor=settings.kafka_replication_factor,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared_messaging topics")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create every platform topic and its DLQ if missing")
    create.add_argument("--bootstrap", help="bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)")
    create.add_argument(
        "--partitions", type=int, help="partitions per topic (default: KAFKA_TOPIC_PARTITIONS)"
    )
    create.add_argument("--replication-factor", type=int, help="default: KAFKA_REPLICATION_FACTOR")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    overrides: dict[str, object] = {}
    if args.bootstrap:
        overrides["kafka_bootstrap_servers"] = args.bootstrap
    if args.partitions:
        overrides["kafka_topic_partitions"] = args.partitions
    if args.replication_factor:
        overrides["kafka_replication_factor"] = args.replication_factor
    settings = KafkaSettings().model_copy(update=overrides)
    try:
        created = asyncio.run(create_all_topics(settings))
    except Exception as exc:
        print(f"topic creation failed on {settings.kafka_bootstrap_servers}: {exc}", file=sys.stderr)
        return 1
    present = len(with_dlqs(ALL_TOPICS)) - len(created)
    print(f"{len(created)} topic(s) created, {present} already present")
    for name in created:
        print(f"  created {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
