"""The messages the Kafka fuzz test (`test_kafka_inbound.py`) sends to each inbound topic.

`INBOUND` describes every inbound topic: the types each consuming service handles there, and a
builder of a valid message of a type they apply. `Messages(inbound, key).sequence()` gives, on one
key: valid messages, and between them values that are not JSON, JSON of the wrong shape, required
fields of the wrong type, huge values, null values, messages without `ce_type`, with garbled
CloudEvents headers, and with unknown `ce_type`s; the last message is another unknown type. Each
malformed message carries the error codes it may be dead-lettered with and the services that
dead-letter it. hypothesis draws the random parts (derandomized: a run is reproducible).

Reduced by default (a few messages of each kind per topic); `FUZZ_FULL=1` makes many more.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shared_contracts import topics
from shared_contracts.distributor import examples
from shared_contracts.envelope import (
    CE_ID,
    CE_SOURCE,
    CE_SPECVERSION,
    CE_TIME,
    CE_TYPE,
    CONTENT_TYPE,
    X_TRANSACTION_ID,
    new_meta,
)
from shared_contracts.events import EVENT_TYPES
from shared_contracts.merchandising import read_spec_sample
from shared_messaging.dlq import INVALID_ENVELOPE, INVALID_JSON, VALIDATION_FAILED

FULL = os.environ.get("FUZZ_FULL") == "1"
PER_KIND = 10 if FULL else 2
"""Random messages of each malformed kind per topic."""
VALID_EVERY = 3
"""A valid message after every this many malformed ones."""


# -- the inbound topics ---------------------------------------------------------------------------


def _installation() -> dict[str, Any]:
    return {
        "orderId": str(uuid.uuid4()),
        "spId": "sp-fuzz",
        "environment": "sandbox",
        "subOrderId": str(uuid.uuid4()),
        "step": "INSTALLATION",
        "siteAddress": dict(examples.KNOWN_GOOD_SITE_ADDRESS),
        "customerRequestedStartDate": "2030-12-08",
        "customerRequestedDueDate": "2030-12-19",
    }


def _appointment_booked() -> dict[str, Any]:
    return {
        "appointmentId": f"apt-fuzz-{uuid.uuid4().hex[:12]}",
        "orderId": str(uuid.uuid4()),
        "subOrderId": str(uuid.uuid4()),
        "startDate": "2030-01-08T08:00:00",
        "endDate": "2030-01-08T12:00:00",
    }


def _fulfillment_order_created() -> dict[str, Any]:
    number = str(uuid.uuid4().int % 10**9)
    return {
        "customerOrderNo": number,
        "fulfillOrderNo": number,
        "confirmationType": "C",
        "confirmationNo": 1,
        "fulfillLocation": 6000,
        "details": [{"item": "100100068", "confirmedQuantity": 1, "confirmedQuantityUom": "EA"}],
    }


def _item_substituted() -> dict[str, Any]:
    number = str(uuid.uuid4().int % 10**9)
    return {
        "customerOrderNo": number,
        "fulfillOrderNo": number,
        "location": 6000,
        "item": "100100068",
        "quantity": 1,
        "cancelledQuantity": 1,
        "uom": "EA",
        "substitutes": [
            {"substituteItem": "100100076", "substituteItemQuantity": 1, "substituteItemQuantityUom": "EA"}
        ],
    }


def _spec_sample(name: str, unique_orders: bool = False) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        sample: dict[str, Any] = json.loads(read_spec_sample(name))
        if unique_orders:
            for entry in sample["items"]:
                entry["customerOrderNo"] = entry["fulfillOrderNo"] = str(uuid.uuid4().int % 10**9)
        return sample

    return build


@dataclass(frozen=True)
class Inbound:
    """One inbound topic: the types each consuming service handles there, and a valid message of a
    type they apply (with the inbox name of each handler that applies it)."""

    topic: str
    handled: dict[str, frozenset[str]]
    valid_type: str
    appliers: dict[str, str]
    valid: Callable[[], dict[str, Any]]
    valid_transaction_id: str | None = None

    @property
    def external(self) -> bool:
        return self.topic in topics.EXTERNAL_TOPICS

    def handling(self, ce_type: str | None) -> list[str]:
        """The services that validate (and so may dead-letter) a message of `ce_type`."""
        return [s for s, types in self.handled.items() if ce_type is None or ce_type in types]


INBOUND = (
    Inbound(
        topics.ORDERS,
        {
            "appointment": frozenset({"OrderEnriched"}),
            "fulfillment": frozenset({"OrderSubmitted"}),
        },
        "OrderEnriched",
        {"appointment": "appointment.entrypoints.order_events.on_order_enriched"},
        _installation,
    ),
    Inbound(
        topics.APPOINTMENTS,
        {"enrichment": frozenset({"AppointmentBooked", "AppointmentCancelled"})},
        "AppointmentBooked",
        {"enrichment": "enrichment.appointment-booked"},
        _appointment_booked,
    ),
    Inbound(
        topics.FULFILLMENT_ORDERS,
        {
            "enrichment": frozenset({"FulfillmentOrderCreated"}),
            "inventory": frozenset({"FulfillmentOrderCreated", "FulfillmentOrderCancelled"}),
        },
        "FulfillmentOrderCreated",
        {
            "enrichment": "enrichment.fulfillment-order-created",
            "inventory": "inventory.fulfillment-order-created",
        },
        _fulfillment_order_created,
    ),
    Inbound(
        topics.INVENTORY_STOCK,
        {"fulfillment": frozenset({"ItemSubstituted"})},
        "ItemSubstituted",
        {"fulfillment": "fulfillment.item-substituted"},
        _item_substituted,
    ),
    Inbound(
        topics.OMS_FULFILLMENT_ORDERS,
        {"fulfillment": frozenset({"FulfillmentOrderCreateRequested", "FulfillmentOrderCancelRequested"})},
        "FulfillmentOrderCreateRequested",
        {"fulfillment": "fulfillment.create-requested"},
        _spec_sample("fulfillment_order_create_request", unique_orders=True),
    ),
    Inbound(
        topics.OMS_INVENTORY_BACKORDERS,
        {"inventory": frozenset({"InventoryBackorderRequested"})},
        "InventoryBackorderRequested",
        {"inventory": "inventory.backorder-requested"},
        _spec_sample("inventory_backorder_create_request"),
    ),
    Inbound(
        topics.OMS_ITEM_SUBSTITUTIONS,
        {"inventory": frozenset({"ItemSubstitutionRequested"})},
        "ItemSubstitutionRequested",
        {"inventory": "inventory.substitution-requested"},
        _spec_sample("item_substitution_create_request"),
        # Substituting needs the demo set's reservation of the sample's order, which the first
        # substitution uses up: every valid message repeats one x-transaction-id, so the first (of
        # any run on this database) applies it and the others are applied as its replays.
        valid_transaction_id="fuzz-item-substitution-sample",
    ),
)


# -- the messages ---------------------------------------------------------------------------------


@dataclass
class Message:
    kind: str
    value: bytes | None
    headers: list[tuple[str, bytes | None]]
    dlq_codes: frozenset[str] = frozenset()  # empty: must not be dead-lettered
    dead_letterers: tuple[str, ...] = ()
    event_id: str | None = None  # valid ones: the inbox id (set when sent, for external topics)
    case: str = field(default_factory=lambda: uuid.uuid4().hex)


def drawn(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """`count` values of `strategy`, the same ones on every run (hypothesis, derandomized)."""
    values: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values[:count]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
NOT_JSON = st.binary(min_size=1, max_size=200).filter(lambda raw: not _is_json(raw))
WRONG_TYPED = st.dictionaries(st.text(max_size=10), JSON, min_size=1, max_size=4)
"""Put where a required field goes: no field of the contracts accepts an object with random keys."""
GARBLES: tuple[tuple[str, Callable[[str], bytes]], ...] = (
    (CE_ID, lambda text: f"not-a-uuid-{text}".encode()),
    (CE_TIME, lambda text: f"yesterday {text}".encode()),
    (CE_SPECVERSION, lambda text: f"0.3{text}".encode()),
    (CONTENT_TYPE, lambda text: f"text/plain; {text}".encode()),
    (CE_SOURCE, lambda text: b"\xff\xfe" + text.encode()),  # not UTF-8
)
REQUIRED_HEADERS = (CE_ID, CE_SOURCE, CE_TIME)
"""Required from platform producers; derived from the record for the OMS's (external) topics."""


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def json_bytes(document: Any) -> bytes:
    """`document` as a record value."""
    return json.dumps(document).encode()


class Messages:
    """Builds the messages of one topic."""

    def __init__(self, inbound: Inbound, key: str) -> None:
        self.inbound = inbound
        self.key = key
        schema = EVENT_TYPES[inbound.valid_type].model_json_schema(by_alias=True)
        self.required: list[str] = schema["required"]
        self.properties: dict[str, Any] = schema["properties"]

    def huge_wrong_value(self, name: str, size: int) -> Any:
        """About `size` bytes that field `name` refuses with one error: a string where the field is
        not a string, else a list of numbers (a long list where a list of objects goes would fail
        once per entry: `test_a_value_failing_validation_many_times_is_dead_lettered`)."""
        if self.properties[name].get("type") == "string":
            return list(range(size // 7))
        return "x" * size

    def headers(
        self, ce_type: str | None, event_id: str | None = None, transaction_id: str | None = None
    ) -> list[tuple[str, bytes | None]]:
        if self.inbound.external:  # the OMS sets ce_type only (EVENTS.md)
            transaction_id = transaction_id or uuid.uuid4().hex
            headers: list[tuple[str, bytes | None]] = [(X_TRANSACTION_ID, transaction_id.encode())]
            return headers if ce_type is None else [(CE_TYPE, ce_type.encode()), *headers]
        meta = new_meta(ce_type or "-", "fuzz", self.key)
        if event_id is not None:
            meta = meta.model_copy(update={"id": event_id})
        return [(n, v) for n, v in meta.to_headers() if ce_type is not None or n != CE_TYPE]

    def valid(self) -> Message:
        event_id = None if self.inbound.external else str(uuid.uuid4())
        value = json_bytes(self.inbound.valid())
        headers = self.headers(self.inbound.valid_type, event_id, self.inbound.valid_transaction_id)
        return Message("valid", value, headers, event_id=event_id)

    def unknown_type(self) -> Message:
        ce_type = f"FuzzUnknown{uuid.uuid4().hex}"
        return Message("unknown ce_type", json_bytes(self.inbound.valid()), self.headers(ce_type))

    def bad(self, kind: str, value: bytes | None, codes: set[str], ce_type: str | None = "") -> Message:
        """A message the consumers of `ce_type` (default: the valid type; None: no type) must
        dead-letter with one of `codes`."""
        typed = self.inbound.valid_type if ce_type == "" else ce_type
        return Message(
            kind,
            value,
            self.headers(typed),
            dlq_codes=frozenset(codes),
            dead_letterers=tuple(self.inbound.handling(typed)),
        )

    def malformed(self) -> list[Message]:
        valid = self.inbound.valid
        messages = [
            self.bad("not JSON", raw, {INVALID_JSON, VALIDATION_FAILED}) for raw in drawn(NOT_JSON, PER_KIND)
        ]
        messages += [
            self.bad("JSON of the wrong shape", json_bytes(doc), {VALIDATION_FAILED})
            for doc in drawn(JSON, PER_KIND)
        ]
        messages += [
            self.bad(f"{name} of the wrong type", json_bytes({**valid(), name: wrong}), {VALIDATION_FAILED})
            for name, wrong in drawn(st.tuples(st.sampled_from(self.required), WRONG_TYPED), PER_KIND)
        ]
        for name, size in drawn(st.tuples(st.sampled_from(self.required), st.integers(200_000, 600_000)), 1):
            huge = json_bytes({**valid(), name: self.huge_wrong_value(name, size)})
            messages.append(self.bad(f"huge {name} ({len(huge)} bytes)", huge, {VALIDATION_FAILED}))
            messages.append(self.bad("huge non-JSON", b"{" + b"x" * size, {INVALID_JSON}))
        messages.append(self.bad("null value", None, {INVALID_JSON, VALIDATION_FAILED}))
        messages.append(self.bad("no ce_type", json_bytes(valid()), {INVALID_ENVELOPE}, ce_type=None))
        no_value = self.bad("ce_type without a value", json_bytes(valid()), {INVALID_ENVELOPE}, ce_type=None)
        no_value.headers.append((CE_TYPE, None))
        messages.append(no_value)
        for header, garble in GARBLES:
            for text in drawn(st.text(max_size=20), max(1, PER_KIND // 2)):
                message = self.bad(f"garbled {header}", json_bytes(valid()), {INVALID_ENVELOPE})
                message.headers = [(n, v) for n, v in message.headers if n != header]
                message.headers.append((header, garble(text)))
                messages.append(message)
        if not self.inbound.external:
            for header in REQUIRED_HEADERS:
                message = self.bad(f"no {header}", json_bytes(valid()), {INVALID_ENVELOPE})
                message.headers = [(n, v) for n, v in message.headers if n != header]
                messages.append(message)
        messages += [self.unknown_type() for _ in range(PER_KIND)]
        return messages

    def sequence(self) -> list[Message]:
        """Valid messages between the malformed ones, a valid one after them all, and an unknown
        type last (every consumer handling it shows that the consumer got past everything)."""
        sequence = [self.valid()]
        for index, message in enumerate(self.malformed(), start=1):
            sequence.append(message)
            if index % VALID_EVERY == 0:
                sequence.append(self.valid())
        return [*sequence, self.valid(), self.unknown_type()]
