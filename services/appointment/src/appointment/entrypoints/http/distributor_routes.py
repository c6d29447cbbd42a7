"""The distributor paths the gateway forwards unchanged (API.md "Service appointment")."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from appointment.domain.appointment import Appointment
from appointment.domain.errors import SlotUnavailableError
from appointment.domain.windows import Window, slot_text
from appointment.entrypoints.http.dependencies import ComponentsDep, ContextDep, PoolDep
from appointment.entrypoints.http.errors import answered_as_api_errors
from appointment.service_layer.available_dates import available_dates
from appointment.service_layer.book import book_appointment
from appointment.service_layer.cancel import cancel_appointment
from shared_contracts.distributor import (
    AppointmentDatesQuery,
    AppointmentDatesResponse,
    AppointmentWindow,
    BookAppointmentRequest,
    BookAppointmentResponse,
    Identifier,
    paths,
)
from shared_contracts.errors import ValidationErrorItem
from shared_http import ApiError
from shared_observability.metrics import count_booking

router = APIRouter(tags=["service appointments"])


def _answer(appointment: Appointment) -> BookAppointmentResponse:
    return BookAppointmentResponse.model_validate(
        {
            "appointmentId": appointment.appointment_id,
            "status": appointment.state.api_name,
            "startDate": appointment.window.start,
            "endDate": appointment.window.end,
        }
    )


def _window(body: BookAppointmentRequest) -> Window:
    if body.end_date <= body.start_date:
        raise ApiError(
            400,
            "VALIDATION_FAILED",
            "Request validation failed; see validationErrors",
            validation_errors=[
                ValidationErrorItem(
                    error="must be after startDate", field="endDate", inputValue=slot_text(body.end_date)
                )
            ],
        )
    return Window(body.start_date, body.end_date)


@router.get(paths.APPOINTMENT_DATES)
async def get_dates(
    query: Annotated[AppointmentDatesQuery, Query()],
    pool: PoolDep,
    context: ContextDep,
    components: ComponentsDep,
) -> AppointmentDatesResponse:
    """Windows between the requested start and due dates, working days only, with capacity left."""
    with answered_as_api_errors():
        sub_order, offered = await available_dates(
            pool, components.sub_orders, components.rules, context, query.order_id, query.sub_order_id
        )
    return AppointmentDatesResponse(
        order_id=sub_order.order_id,
        sub_order_id=sub_order.sub_order_id,
        appointment_dates=[
            AppointmentWindow(
                start_date=offer.window.start, end_date=offer.window.end, available_slots=offer.available
            )
            for offer in offered
        ],
    )


@router.post(paths.APPOINTMENT, status_code=201)
async def book(
    body: BookAppointmentRequest, pool: PoolDep, context: ContextDep, components: ComponentsDep
) -> BookAppointmentResponse:
    """Book an offered window; booking again for the sub-order moves the appointment."""
    window = _window(body)
    with answered_as_api_errors():
        try:
            appointment = await book_appointment(
                pool,
                components.sub_orders,
                components.rules,
                context,
                body.order_id,
                body.sub_order_id,
                window,
            )
        except SlotUnavailableError:
            count_booking("appointment", "slot_unavailable")
            raise
    count_booking("appointment", "booked")
    return _answer(appointment)


@router.delete(paths.APPOINTMENT_BY_ID)
async def cancel(
    appointment_id: Annotated[Identifier, Path(alias="appointmentId")],
    pool: PoolDep,
    context: ContextDep,
    components: ComponentsDep,
) -> BookAppointmentResponse:
    """Cancel the appointment; its window's place is given back."""
    with answered_as_api_errors():
        appointment = await cancel_appointment(pool, components.rules, context, appointment_id)
    count_booking("appointment", "cancelled")
    return _answer(appointment)
