"""Kafka topic names (EVENTS.md) and their dead-letter queues."""

from typing import Final

ORDERS: Final = "orders.order.v1"
APPOINTMENTS: Final = "appointments.appointment.v1"
INVENTORY_STOCK: Final = "inventory.stock.v1"
FULFILLMENT_ORDERS: Final = "fulfillment.order.v1"
OMS_FULFILLMENT_ORDERS: Final = "oms.fulfillment-order.v1"
OMS_INVENTORY_BACKORDERS: Final = "oms.inventory-backorder.v1"
OMS_ITEM_SUBSTITUTIONS: Final = "oms.item-substitution.v1"

DLQ_SUFFIX: Final = ".dlq"
DEFAULT_PARTITIONS: Final = 6

EVENT_TOPICS: Final[tuple[str, ...]] = (
    ORDERS,
    APPOINTMENTS,
    INVENTORY_STOCK,
    FULFILLMENT_ORDERS,
    OMS_FULFILLMENT_ORDERS,
    OMS_INVENTORY_BACKORDERS,
    OMS_ITEM_SUBSTITUTIONS,
)
"""Every topic that carries events or inbound commands, without the DLQs."""

EXTERNAL_TOPICS: Final[tuple[str, ...]] = (
    OMS_FULFILLMENT_ORDERS,
    OMS_INVENTORY_BACKORDERS,
    OMS_ITEM_SUBSTITUTIONS,
)
"""Topics written by systems outside the platform (the OMS, on behalf of SIOCS too)."""


def dlq(topic: str) -> str:
    """The dead-letter queue of ``topic``: ``<topic>.dlq``."""
    if is_dlq(topic):
        raise ValueError(f"{topic!r} is already a dead-letter queue")
    return f"{topic}{DLQ_SUFFIX}"


def is_dlq(topic: str) -> bool:
    """Whether ``topic`` is a dead-letter queue."""
    return topic.endswith(DLQ_SUFFIX)


ALL_TOPICS: Final[tuple[str, ...]] = EVENT_TOPICS + tuple(dlq(topic) for topic in EVENT_TOPICS)
"""Every topic the platform creates: each event topic and its DLQ."""
