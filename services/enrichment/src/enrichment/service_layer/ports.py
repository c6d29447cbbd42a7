"""What the use cases need from outside the service's own database."""

from typing import Protocol

from enrichment.adapters.appointments_repository import Booking
from enrichment.service_layer.context import RequestContext


class AppointmentServiceUnavailableError(Exception):
    """The appointment service could not answer (down, timing out, or answering with an error)."""


class AppointmentDirectory(Protocol):
    async def confirmed_booking(self, sub_order_id: str, context: RequestContext) -> Booking | None:
        """The sub-order's confirmed appointment as the appointment service knows it now; None if none.

        Raises `AppointmentServiceUnavailableError` when the service cannot tell.
        """
        ...
