"""What booking a window means for a sub-order that may already hold one, and how a refusal reads."""

from enum import Enum

from appointment.domain.appointment import Appointment
from appointment.domain.schedule import RequestedDates
from appointment.domain.windows import Window, slot_text


class BookingPlan(Enum):
    KEEP = "keep"
    """The sub-order already holds this window: nothing changes, the same appointment answers."""
    BOOK = "book"
    """No confirmed appointment yet: take the window."""
    MOVE = "move"
    """Take the new window and release the old one, in one transaction."""


def plan_booking(current: Appointment | None, requested: Window) -> BookingPlan:
    if current is None:
        return BookingPlan.BOOK
    return BookingPlan.KEEP if current.window == requested else BookingPlan.MOVE


def unavailable_message(requested: Window, suggestion: Window | None, dates: RequestedDates) -> str:
    """409 SLOT_UNAVAILABLE: name the window refused and suggest another one (FAQ 5)."""
    refused = (
        f"The window {slot_text(requested.start)} - {slot_text(requested.end)} is not available "
        "(not offered for this sub-order, or fully booked)."
    )
    if suggestion is not None:
        return (
            f"{refused} Try {slot_text(suggestion.start)} - {slot_text(suggestion.end)}, "
            "or another window from GET /api/v1/service-appointment/dates."
        )
    return (
        f"{refused} No other window between {dates.start.isoformat()} and {dates.due.isoformat()} has "
        "capacity left; shift the requested dates by a few days (installation enrichment) and ask for "
        "dates again."
    )
