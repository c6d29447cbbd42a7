"""Every event type by its `ce_type`, and the Kafka key of an event."""

from types import MappingProxyType
from typing import Final

from shared_contracts.events.appointments import AppointmentBooked, AppointmentCancelled
from shared_contracts.events.base import Event
from shared_contracts.events.fulfillment import FulfillmentOrderCancelled, FulfillmentOrderCreated
from shared_contracts.events.inventory import (
    BackorderAdjusted,
    InventoryReleased,
    InventoryReserved,
    ItemSubstituted,
)
from shared_contracts.events.oms import (
    FulfillmentOrderCancelRequested,
    FulfillmentOrderCreateRequested,
    InventoryBackorderRequested,
    ItemSubstitutionRequested,
)
from shared_contracts.events.orders import OrderCreated, OrderEnriched, OrderStatusChanged, OrderSubmitted


class UnknownEventTypeError(LookupError):
    """A `ce_type` that no event model has."""


_ALL_EVENTS: Final[tuple[type[Event], ...]] = (
    OrderCreated,
    OrderEnriched,
    OrderSubmitted,
    OrderStatusChanged,
    AppointmentBooked,
    AppointmentCancelled,
    BackorderAdjusted,
    ItemSubstituted,
    InventoryReserved,
    InventoryReleased,
    FulfillmentOrderCreated,
    FulfillmentOrderCancelled,
    FulfillmentOrderCreateRequested,
    FulfillmentOrderCancelRequested,
    InventoryBackorderRequested,
    ItemSubstitutionRequested,
)

EVENT_TYPES: Final = MappingProxyType({model.event_type: model for model in _ALL_EVENTS})
"""`ce_type` -> event model, for every type in EVENTS.md."""

if len(EVENT_TYPES) != len(_ALL_EVENTS):
    raise RuntimeError("two event models share one event_type")


def event_model(ce_type: str) -> type[Event]:
    """The model of the event type `ce_type`."""
    try:
        return EVENT_TYPES[ce_type]
    except KeyError:
        raise UnknownEventTypeError(f"unknown event type {ce_type!r}") from None


def events_on(topic: str) -> tuple[type[Event], ...]:
    """The event models carried by `topic`."""
    return tuple(model for model in _ALL_EVENTS if model.topic == topic)


def decode_event(ce_type: str, value: bytes | str) -> Event:
    """Validate a Kafka value as the event type `ce_type` (raises pydantic's `ValidationError`)."""
    return event_model(ce_type).model_validate_json(value)


def key_for(event: Event) -> str:
    """The Kafka key of `event`: orderId, `<item>@<location>` or customerOrderNo, per its topic."""
    return event.partition_key()
