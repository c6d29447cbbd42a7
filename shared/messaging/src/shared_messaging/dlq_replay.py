"""Operator commands on dead-letter queues: list what is in `<topic>.dlq`, with each message's
reason, and replay chosen messages to `<topic>` once their cause is fixed.

    python -m shared_messaging dlq list TOPIC [--partition P] [--from-offset A] [--to-offset B]
                                              [--reason CODE] [--json]
    python -m shared_messaging dlq replay TOPIC (--all | [--partition P] [--from-offset A]
                                                 [--to-offset B]) [--reason CODE] [--dry-run]

A replay sends the message unchanged (key, value, headers), without the `x-error-code` and
`x-error` headers the DLQ added and with `x-replayed-from: <dlq>/<partition>/<offset>`; the key
keeps it on its original partition, so its order relative to later events of the key is the
consumer's concern as for any redelivery. Replaying the same DLQ message twice is a no-op: the
event keeps its `ce_id`, so the consumer's inbox takes it once. A message without `ce_id` (an
OMS command, whose id the consumer derives from the record's position) is given one derived from
its DLQ position, stable across replays for the same reason.

The DLQ is read without a consumer group (nothing is committed, the DLQ is never changed): up to
the end offsets taken when the command starts, each wait bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared_contracts.envelope import CE_ID, CE_TYPE, X_ERROR, X_ERROR_CODE, X_TRACE_ID
from shared_contracts.topics import dlq, is_dlq
from shared_messaging.broker import (
    bounded,
    create_producer,
    send_and_confirm,
    start_producer,
    stop_producer,
)
from shared_messaging.settings import KafkaSettings

X_REPLAYED_FROM = "x-replayed-from"
READ_POLL_MS = 200


@dataclass(frozen=True)
class Selection:
    """Which DLQ messages: a partition and an offset range (inclusive), and/or an error code."""

    partition: int | None = None
    from_offset: int | None = None
    to_offset: int | None = None
    reason: str | None = None

    def covers(self, record: ConsumerRecord[Any, Any], code: str) -> bool:
        return (
            (self.partition is None or record.partition == self.partition)
            and (self.from_offset is None or record.offset >= self.from_offset)
            and (self.to_offset is None or record.offset <= self.to_offset)
            and (self.reason is None or code == self.reason)
        )


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    timestamp: datetime
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name and value:
                return value.decode("utf-8", errors="replace")
        return None

    @property
    def reason(self) -> str:
        return self.header(X_ERROR_CODE) or "-"

    @property
    def message(self) -> str:
        body = self.header(X_ERROR)
        if body is None:
            return ""
        try:
            return str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            return body

    @property
    def position(self) -> str:
        return f"{self.dlq_topic}/{self.partition}/{self.offset}"

    def replay_headers(self) -> list[tuple[str, bytes]]:
        kept = [
            (name, value)
            for name, value in self.headers
            if name.lower() not in (X_ERROR_CODE, X_ERROR, X_REPLAYED_FROM)
        ]
        if self.header(CE_ID) is None:
            derived = uuid.uuid5(uuid.NAMESPACE_URL, f"kafka-dlq:{self.position}")
            kept = [(name, value) for name, value in kept if name.lower() != CE_ID]
            kept.append((CE_ID, str(derived).encode()))
        return [*kept, (X_REPLAYED_FROM, self.position.encode())]

    def summary(self) -> dict[str, Any]:
        return {
            "partition": self.partition,
            "offset": self.offset,
            "time": self.timestamp.isoformat(),
            "reason": self.reason,
            "message": self.message,
            "ce_type": self.header(CE_TYPE),
            "ce_id": self.header(CE_ID),
            "x_trace_id": self.header(X_TRACE_ID),
            "key": None if self.key is None else self.key.decode("utf-8", errors="replace"),
            "replayed_from": self.header(X_REPLAYED_FROM),
        }


def original_topic(topic: str) -> str:
    """`orders.order.v1` or `orders.order.v1.dlq` -> `orders.order.v1`."""
    return topic.removesuffix(".dlq") if is_dlq(topic) else topic


async def read_dead_letters(
    settings: KafkaSettings, topic: str, selection: Selection = Selection(), *, seconds: float = 60.0
) -> list[DeadLetter]:
    """The messages of `<topic>.dlq` that `selection` covers, in partition and offset order."""
    dlq_topic = dlq(original_topic(topic))
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        request_timeout_ms=settings.kafka_request_timeout_ms,
    )
    await bounded(consumer.start(), settings.kafka_start_timeout_seconds, "Kafka consumer start")
    try:
        return await bounded(_read(consumer, dlq_topic, selection), seconds, f"reading {dlq_topic}")
    finally:
        await bounded(consumer.stop(), settings.kafka_stop_timeout_seconds, "Kafka consumer stop")


async def _read(consumer: AIOKafkaConsumer, dlq_topic: str, selection: Selection) -> list[DeadLetter]:
    found = await _partitions(consumer, dlq_topic)
    partitions = [tp for tp in found if selection.partition in (None, tp.partition)]
    if not partitions:
        return []
    consumer.assign(partitions)
    starts = await consumer.beginning_offsets(partitions)
    ends = await consumer.end_offsets(partitions)
    remaining = set()
    for tp in partitions:
        start = max(starts[tp], selection.from_offset or 0)
        if start < ends[tp]:
            consumer.seek(tp, start)
            remaining.add(tp)
    letters: list[DeadLetter] = []
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=READ_POLL_MS)
        for tp, records in batch.items():
            for record in records:
                if record.offset < ends[tp]:
                    letter = _letter(record)
                    if selection.covers(record, letter.reason):
                        letters.append(letter)
            if await consumer.position(tp) >= ends[tp] or (
                selection.to_offset is not None and await consumer.position(tp) > selection.to_offset
            ):
                remaining.discard(tp)
    return sorted(letters, key=lambda letter: (letter.partition, letter.offset))


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    await consumer._client.force_metadata_update()
    found = consumer.partitions_for_topic(topic)
    if not found:
        raise LookupError(f"no topic {topic}")
    return [TopicPartition(topic, partition) for partition in sorted(found)]


def _letter(record: ConsumerRecord[Any, Any]) -> DeadLetter:
    return DeadLetter(
        dlq_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        timestamp=datetime.fromtimestamp(record.timestamp / 1000, UTC),
        key=record.key,
        value=record.value,
        headers=tuple((name, value or b"") for name, value in record.headers or ()),
    )


async def replay(settings: KafkaSettings, letters: Sequence[DeadLetter]) -> int:
    """Send `letters` back to their original topic, each acknowledged before the next (so a
    failure leaves a clear point to continue from); how many were sent."""
    if not letters:
        return 0
    producer = create_producer(settings, client_id="dlq-replay")
    await start_producer(producer, settings)
    sent = 0
    try:
        for letter in letters:
            await send_and_confirm(
                producer,
                settings,
                original_topic(letter.dlq_topic),
                letter.value,
                key=letter.key,
                headers=letter.replay_headers(),
            )
            sent += 1
    finally:
        await stop_producer(producer, settings)
    return sent


# -- command line ---------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shared_messaging dlq", description="List and replay dead-lettered messages."
    )
    parser.add_argument("--bootstrap", help="bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the messages of TOPIC's DLQ with their reasons")
    replaying = commands.add_parser("replay", help="send chosen DLQ messages back to TOPIC")
    for command in (listing, replaying):
        command.add_argument("topic", help="the original topic (or its .dlq)")
        command.add_argument("--partition", type=int)
        command.add_argument("--from-offset", type=int, help="first DLQ offset (inclusive)")
        command.add_argument("--to-offset", type=int, help="last DLQ offset (inclusive)")
        command.add_argument("--reason", help="only messages with this x-error-code")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    replaying.add_argument("--all", action="store_true", help="every message (with --reason: of it)")
    replaying.add_argument("--dry-run", action="store_true", help="show what would be replayed")
    return parser


def _print_table(letters: Sequence[DeadLetter]) -> None:
    print("partition  offset  time                       reason                 type / key: message")
    for letter in letters:
        row = letter.summary()
        print(
            f"{row['partition']:>9}  {row['offset']:>6}  {row['time'][:26]:<26} {row['reason']:<22} "
            f"{row['ce_type'] or '-'} / {row['key'] or '-'}: {row['message'][:120]}"
        )


async def _run(args: argparse.Namespace, settings: KafkaSettings) -> int:
    selection = Selection(args.partition, args.from_offset, args.to_offset, args.reason)
    letters = await read_dead_letters(settings, args.topic, selection)
    if args.command == "list":
        if args.json:
            for letter in letters:
                print(json.dumps(letter.summary()))
        else:
            _print_table(letters)
            print(f"{len(letters)} message(s) in {dlq(original_topic(args.topic))}")
        return 0
    if args.dry_run:
        _print_table(letters)
        print(f"would replay {len(letters)} message(s) to {original_topic(args.topic)}")
        return 0
    sent = await replay(settings, letters)
    print(f"replayed {sent} message(s) to {original_topic(args.topic)}")
    return 0


async def run_command(argv: Sequence[str]) -> int:
    """`python -m shared_messaging dlq ...` inside a running event loop; the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if (
        args.command == "replay"
        and not args.all
        and (args.partition is None and args.from_offset is None and args.to_offset is None)
    ):
        parser.error("replay needs --all or a selection (--partition, --from-offset, --to-offset)")
    settings = KafkaSettings()
    if args.bootstrap:
        settings = settings.model_copy(update={"kafka_bootstrap_servers": args.bootstrap})
    try:
        return await _run(args, settings)
    except Exception as error:
        print(f"dlq {args.command} failed on {settings.kafka_bootstrap_servers}: {error}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run_command(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
