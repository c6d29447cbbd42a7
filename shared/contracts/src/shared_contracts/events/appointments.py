"""Events of `appointments.appointment.v1`, produced by appointment and keyed by orderId."""

from datetime import datetime
from typing import ClassVar

from shared_contracts import topics
from shared_contracts.events.base import Event


class AppointmentEvent(Event):
    """An event about the service appointment of one sub-order."""

    topic: ClassVar[str] = topics.APPOINTMENTS

    appointment_id: str
    order_id: str
    sub_order_id: str
    start_date: datetime
    end_date: datetime

    def partition_key(self) -> str:
        return self.order_id


class AppointmentBooked(AppointmentEvent):
    """A slot was booked for a sub-order (booking again moves the appointment)."""

    event_type: ClassVar[str] = "AppointmentBooked"


class AppointmentCancelled(AppointmentEvent):
    """An appointment was cancelled, or released because the sub-order booked another slot."""

    event_type: ClassVar[str] = "AppointmentCancelled"
