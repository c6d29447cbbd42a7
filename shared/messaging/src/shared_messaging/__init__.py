"""Kafka messaging for the services: transactional outbox + relay, inbox, consumers, DLQ, topics.

- write events: `add_event(conn, event, ...)` inside the state change's transaction (or
  `outbox_row(conn, event)` for a change that is one statement of its own);
- publish them: `OutboxRelay(pool, lambda: create_producer(settings), service, schema, settings)`;
- consume: `subscribe(broker, topic, group_id=..., handlers=..., pool=..., dlq=...)`;
- topics: `ensure_topics(...)`, `python -m shared_messaging topics create`.
"""

from shared_messaging.broker import (
    KafkaUnavailableError,
    create_broker,
    create_producer,
    send_and_confirm,
    start_broker,
    start_producer,
    stop_broker,
    stop_producer,
)
from shared_messaging.consumer import (
    Handler,
    MessageProcessor,
    NamedHandler,
    Subscription,
    handler_name,
    pause_all,
    resume_all,
    subscribe,
)
from shared_messaging.dlq import DeadLetterPublisher, PermanentError
from shared_messaging.inbox import claim
from shared_messaging.outbox import OutboxRow, add_event, outbox_row
from shared_messaging.relay import OutboxRelay, RelayCrash, outbox_lag
from shared_messaging.schema import MESSAGING_TABLES_SQL, install_messaging_tables, notify_channel
from shared_messaging.settings import KafkaSettings
from shared_messaging.topics import ensure_topics

__all__ = [
    "MESSAGING_TABLES_SQL",
    "DeadLetterPublisher",
    "Handler",
    "KafkaSettings",
    "KafkaUnavailableError",
    "MessageProcessor",
    "NamedHandler",
    "OutboxRelay",
    "OutboxRow",
    "PermanentError",
    "RelayCrash",
    "Subscription",
    "add_event",
    "claim",
    "create_broker",
    "create_producer",
    "ensure_topics",
    "handler_name",
    "install_messaging_tables",
    "notify_channel",
    "outbox_lag",
    "outbox_row",
    "pause_all",
    "resume_all",
    "send_and_confirm",
    "start_broker",
    "start_producer",
    "stop_broker",
    "stop_producer",
    "subscribe",
]
