from datetime import datetime

import pytest

from appointment.domain.appointment import Appointment
from appointment.domain.errors import InvalidTransitionError
from appointment.domain.states import TRANSITIONS, AppointmentState, can_move, move
from appointment.domain.windows import Window

WINDOW = Window(datetime(2030, 1, 7, 8), datetime(2030, 1, 7, 12))


def test_the_states_are_tmf646s():
    assert [state.value for state in AppointmentState] == [
        "initialized",
        "confirmed",
        "cancelled",
        "completed",
        "failed",
    ]
    assert AppointmentState.CONFIRMED.api_name == "CONFIRMED"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("initialized", "confirmed"),
        ("initialized", "cancelled"),
        ("initialized", "failed"),
        ("confirmed", "cancelled"),
        ("confirmed", "completed"),
        ("confirmed", "failed"),
    ],
)
def test_allowed_moves(current: str, target: str):
    assert move(AppointmentState(current), AppointmentState(target)) is AppointmentState(target)


@pytest.mark.parametrize("final", ["cancelled", "completed", "failed"])
def test_final_states_go_nowhere(final: str):
    state = AppointmentState(final)
    assert state.is_final
    for target in AppointmentState:
        assert not can_move(state, target)
    with pytest.raises(InvalidTransitionError, match=f"from {final} to confirmed"):
        move(state, AppointmentState.CONFIRMED)


def test_a_confirmed_appointment_cannot_go_back_to_initialized():
    assert not can_move(AppointmentState.CONFIRMED, AppointmentState.INITIALIZED)
    assert set(TRANSITIONS) == set(AppointmentState)


def test_a_booking_is_initialized_then_confirmed_and_a_cancel_is_final():
    booked = Appointment.initialize("A-1", "O-1", "S-1", WINDOW)
    assert booked.state is AppointmentState.INITIALIZED
    confirmed = booked.confirmed()
    assert confirmed.state is AppointmentState.CONFIRMED
    cancelled = confirmed.cancelled()
    assert cancelled.state is AppointmentState.CANCELLED
    with pytest.raises(InvalidTransitionError):
        cancelled.confirmed()
