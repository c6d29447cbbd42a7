"""Service appointment dates and booking (served for the appointment service)."""

from typing import Literal

from pydantic import ConfigDict, Field

from shared_contracts.distributor import examples
from shared_contracts.distributor.enrichment import SubOrderTarget
from shared_contracts.distributor.types import AppointmentTimestamp
from shared_contracts.model import StrictCamelModel

AppointmentStatus = Literal["CONFIRMED", "CANCELLED"]


class AppointmentDatesQuery(SubOrderTarget):
    """Query of `GET /api/v1/service-appointment/dates?orderId=&subOrderId=`."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.APPOINTMENT_DATES_QUERY]})


class AppointmentWindow(StrictCamelModel):
    start_date: AppointmentTimestamp
    end_date: AppointmentTimestamp
    available_slots: int = Field(ge=1, description="Bookings the window can still take.")


class AppointmentDatesResponse(StrictCamelModel):
    order_id: str
    sub_order_id: str
    appointment_dates: list[AppointmentWindow] = Field(
        description="Windows between the requested start and due dates with capacity left."
    )


class BookAppointmentRequest(SubOrderTarget):
    """`POST /api/v1/service-appointment`; booking again for the sub-order moves the appointment."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BOOK_APPOINTMENT]})

    start_date: AppointmentTimestamp
    end_date: AppointmentTimestamp


class BookAppointmentResponse(StrictCamelModel):
    appointment_id: str
    status: AppointmentStatus
    start_date: AppointmentTimestamp
    end_date: AppointmentTimestamp
