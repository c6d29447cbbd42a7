"""The integration events of an appointment (appointments.appointment.v1, key orderId)."""

from appointment.domain.appointment import Appointment
from shared_contracts.events import AppointmentBooked, AppointmentCancelled


def booked(appointment: Appointment) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_id=appointment.appointment_id,
        order_id=appointment.order_id,
        sub_order_id=appointment.sub_order_id,
        start_date=appointment.window.start,
        end_date=appointment.window.end,
    )


def cancelled(appointment: Appointment) -> AppointmentCancelled:
    return AppointmentCancelled(
        appointment_id=appointment.appointment_id,
        order_id=appointment.order_id,
        sub_order_id=appointment.sub_order_id,
        start_date=appointment.window.start,
        end_date=appointment.window.end,
    )
