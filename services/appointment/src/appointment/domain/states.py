"""Appointment lifecycle: the states of TM Forum TMF646 (`AppointmentStateType`) and their moves.

    initialized --> confirmed --> completed
        |   \\          |  \\
        |    failed     |   failed
        v               v
     cancelled       cancelled

`initialized` lives only inside the booking transaction (capacity is taken, then the appointment
is confirmed); a booking that finds no capacity leaves nothing behind. `cancelled`, `completed` and
`failed` are final. The distributor API shows the states in upper case (`CONFIRMED`, `CANCELLED`).
"""

from enum import StrEnum
from typing import Final

from appointment.domain.errors import InvalidTransitionError


class AppointmentState(StrEnum):
    INITIALIZED = "initialized"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return not TRANSITIONS[self]

    @property
    def api_name(self) -> str:
        """The distributor API's spelling: `CONFIRMED`, `CANCELLED`, ..."""
        return self.value.upper()


TRANSITIONS: Final[dict[AppointmentState, frozenset[AppointmentState]]] = {
    AppointmentState.INITIALIZED: frozenset(
        {AppointmentState.CONFIRMED, AppointmentState.CANCELLED, AppointmentState.FAILED}
    ),
    AppointmentState.CONFIRMED: frozenset(
        {AppointmentState.CANCELLED, AppointmentState.COMPLETED, AppointmentState.FAILED}
    ),
    AppointmentState.CANCELLED: frozenset(),
    AppointmentState.COMPLETED: frozenset(),
    AppointmentState.FAILED: frozenset(),
}


def can_move(current: AppointmentState, target: AppointmentState) -> bool:
    return target in TRANSITIONS[current]


def move(current: AppointmentState, target: AppointmentState) -> AppointmentState:
    """`target`, if TMF646's lifecycle allows going there from `current`."""
    if not can_move(current, target):
        raise InvalidTransitionError(f"An appointment cannot go from {current.value} to {target.value}.")
    return target
