"""The base class of every message on a topic of EVENTS.md."""

from abc import abstractmethod
from typing import ClassVar

from shared_contracts.model import CamelModel


class Event(CamelModel):
    """A message's data: the Kafka value, its type being the `ce_type` header.

    Subclasses name their `event_type` and `topic` and say which field is the Kafka key.
    Events are read tolerantly (unknown fields ignored), so producers may add fields within a version.
    """

    event_type: ClassVar[str]
    topic: ClassVar[str]

    @abstractmethod
    def partition_key(self) -> str:
        """The Kafka message key, as EVENTS.md fixes it for the topic."""

    def to_bytes(self) -> bytes:
        """The Kafka value: the event's camelCase JSON."""
        return self.model_dump_json().encode()
