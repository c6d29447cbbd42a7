"""Internal reads for other services (not routed by the gateway)."""

from typing import Annotated

from fastapi import APIRouter, Query

from appointment.domain.appointment import Appointment
from appointment.domain.errors import NotFoundError
from appointment.entrypoints.http.dependencies import ContextDep, PoolDep
from appointment.entrypoints.http.errors import answered_as_api_errors
from appointment.service_layer.confirmed_lookup import confirmed_appointment
from shared_contracts.distributor import AppointmentStatus, AppointmentTimestamp, Identifier
from shared_contracts.model import StrictCamelModel

APPOINTMENTS_PATH = "/internal/v1/appointments"

router = APIRouter(tags=["internal"])


class InternalAppointment(StrictCamelModel):
    """The confirmed appointment of a sub-order, as enrichment's submit gate and summary read it."""

    appointment_id: str
    order_id: str
    sub_order_id: str
    status: AppointmentStatus
    start_date: AppointmentTimestamp
    end_date: AppointmentTimestamp


def _internal(appointment: Appointment) -> InternalAppointment:
    return InternalAppointment.model_validate(
        {
            "appointmentId": appointment.appointment_id,
            "orderId": appointment.order_id,
            "subOrderId": appointment.sub_order_id,
            "status": appointment.state.api_name,
            "startDate": appointment.window.start,
            "endDate": appointment.window.end,
        }
    )


@router.get(APPOINTMENTS_PATH)
async def get_confirmed_appointment(
    sub_order_id: Annotated[Identifier, Query(alias="subOrderId")], pool: PoolDep, context: ContextDep
) -> InternalAppointment:
    """The sub-order's confirmed appointment for the caller's tenant; 404 `NOT_FOUND` when none."""
    with answered_as_api_errors():
        appointment = await confirmed_appointment(pool, context.tenant, sub_order_id)
        if appointment is None:
            raise NotFoundError("Confirmed appointment of sub-order", sub_order_id)
    return _internal(appointment)
