"""Order summary of one order or of a CDG's orders: steps, data, appointment, fulfillment, history.

A sub-order whose installation is done but whose booking the read model does not know yet is
looked up at the appointment service, so a summary right after booking shows it; when that service
cannot answer, the summary shows what the read model knows.
"""

import logging
import uuid
from collections.abc import Sequence

import asyncpg

from enrichment.adapters import appointments_repository, cdg_repository, fulfillment_repository
from enrichment.adapters.appointments_repository import Booking
from enrichment.adapters.order_details import OrderDetails, load_details
from enrichment.domain.errors import NotFoundError
from enrichment.domain.steps import Step
from enrichment.service_layer.context import RequestContext, as_uuid
from enrichment.service_layer.lookup import tenant_order
from enrichment.service_layer.ports import AppointmentDirectory, AppointmentServiceUnavailableError
from enrichment.service_layer.summary_view import order_summary
from shared_contracts.distributor import OrderSummaryRequest, OrderSummaryResponse

log = logging.getLogger(__name__)


async def _order_ids(
    conn: asyncpg.Connection, context: RequestContext, request: OrderSummaryRequest
) -> list[str]:
    if request.order_id is not None:
        return [(await tenant_order(conn, context.tenant, request.order_id, lock=False)).order_id]
    cdg_id = request.cdg_id or ""
    identifier = as_uuid(cdg_id)
    cdg = (
        None
        if identifier is None
        else await cdg_repository.load_cdg(conn, context.tenant, identifier, lock=False)
    )
    if cdg is None:
        raise NotFoundError("CDG", cdg_id)
    return await cdg_repository.member_order_ids(conn, uuid.UUID(cdg.cdg_id))


def _awaiting_booking(details: Sequence[OrderDetails], bookings: dict[str, Booking]) -> list[str]:
    return [
        sub_order.sub_order_id
        for order in details
        for sub_order in order.sub_orders
        if Step.INSTALLATION in sub_order.steps and sub_order.sub_order_id not in bookings
    ]


async def _fresh_bookings(
    appointments: AppointmentDirectory, sub_order_ids: Sequence[str], context: RequestContext
) -> dict[str, Booking]:
    fresh: dict[str, Booking] = {}
    for sub_order_id in sub_order_ids:
        try:
            booking = await appointments.confirmed_booking(sub_order_id, context)
        except AppointmentServiceUnavailableError as error:
            log.warning("summary shows the appointment read model only: %s", error)
            break
        if booking is not None:
            fresh[sub_order_id] = booking
    return fresh


async def summarize(
    pool: asyncpg.Pool,
    context: RequestContext,
    appointments: AppointmentDirectory,
    request: OrderSummaryRequest,
) -> OrderSummaryResponse:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        details = await load_details(conn, await _order_ids(conn, context, request))
        sub_order_ids = [sub_order_id for order in details for sub_order_id in order.sub_order_ids]
        bookings = await appointments_repository.current_bookings(conn, sub_order_ids)
        outcomes = await fulfillment_repository.outcomes_of_sub_orders(conn, sub_order_ids)
    confirmed = appointments_repository.confirmed(bookings)
    bookings |= await _fresh_bookings(appointments, _awaiting_booking(details, confirmed), context)
    return OrderSummaryResponse(
        cdg_id=request.cdg_id, orders=[order_summary(order, bookings, outcomes) for order in details]
    )
