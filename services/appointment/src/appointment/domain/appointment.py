"""A service appointment: one window of one sub-order, and its TMF646 state."""

from dataclasses import dataclass, replace

from appointment.domain.states import AppointmentState, move
from appointment.domain.windows import Window


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    order_id: str
    sub_order_id: str
    window: Window
    state: AppointmentState

    @classmethod
    def initialize(
        cls, appointment_id: str, order_id: str, sub_order_id: str, window: Window
    ) -> "Appointment":
        return cls(appointment_id, order_id, sub_order_id, window, AppointmentState.INITIALIZED)

    def moved_to(self, state: AppointmentState) -> "Appointment":
        return replace(self, state=move(self.state, state))

    def confirmed(self) -> "Appointment":
        return self.moved_to(AppointmentState.CONFIRMED)

    def cancelled(self) -> "Appointment":
        return self.moved_to(AppointmentState.CANCELLED)
