from datetime import date, datetime

from appointment.domain.appointment import Appointment
from appointment.domain.booking import BookingPlan, plan_booking, unavailable_message
from appointment.domain.schedule import RequestedDates
from appointment.domain.windows import Window

MORNING = Window(datetime(2030, 1, 7, 8), datetime(2030, 1, 7, 12))
AFTERNOON = Window(datetime(2030, 1, 7, 12), datetime(2030, 1, 7, 16))
HELD = Appointment.initialize("A-1", "O-1", "S-1", MORNING).confirmed()
DATES = RequestedDates(date(2030, 1, 7), date(2030, 1, 11))


def test_a_first_booking_books_the_same_window_keeps_another_window_moves():
    assert plan_booking(None, MORNING) is BookingPlan.BOOK
    assert plan_booking(HELD, MORNING) is BookingPlan.KEEP
    assert plan_booking(HELD, AFTERNOON) is BookingPlan.MOVE


def test_the_refusal_names_the_window_and_suggests_another():
    message = unavailable_message(MORNING, AFTERNOON, DATES)
    assert "2030-01-07 08:00:00.000 - 2030-01-07 12:00:00.000 is not available" in message
    assert "Try 2030-01-07 12:00:00.000 - 2030-01-07 16:00:00.000" in message


def test_without_another_window_the_refusal_suggests_shifting_the_dates():
    message = unavailable_message(MORNING, None, DATES)
    assert "No other window between 2030-01-07 and 2030-01-11 has capacity left" in message
    assert "shift the requested dates" in message
