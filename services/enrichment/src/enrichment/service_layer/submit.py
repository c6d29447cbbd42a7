"""Submit an order, or every order of a CDG (all or none); emits OrderSubmitted and OrderStatusChanged.

Steps are checked in the order Installation, Shipping, Billing, Service Appointment over every
sub-order. The appointment step reads the local read model; when it does not know a sub-order as
booked, the transaction is rolled back, the appointment service is asked (no transaction waits on
HTTP) and the submit runs again, recording what that service confirmed in the read model. Once per
`x-transaction-id`: a retry of an applied submit gets the first answer, not ORDER_NOT_OPEN.
"""

import asyncio
from collections.abc import Sequence

import asyncpg

from enrichment.adapters import appointments_repository, cdg_repository, orders_repository, steps_repository
from enrichment.adapters.appointments_repository import Booking
from enrichment.adapters.database import transaction
from enrichment.adapters.order_details import load_details
from enrichment.domain.errors import NotFoundError
from enrichment.domain.order import Order
from enrichment.domain.steps import Step
from enrichment.domain.submit_gate import SubOrderProgress, ensure_submittable, first_missing_step
from enrichment.service_layer.applied_once import earlier_answer, remember_answer
from enrichment.service_layer.context import EnrichmentRules, RequestContext, as_uuid
from enrichment.service_layer.events import stage, status_changed
from enrichment.service_layer.lookup import tenant_order
from enrichment.service_layer.ports import AppointmentDirectory
from enrichment.service_layer.submitted_event import order_submitted
from shared_contracts.distributor import SubmitRequest, SubmitResponse

LOOKUP_CONCURRENCY = 8


async def _orders(
    conn: asyncpg.Connection, context: RequestContext, request: SubmitRequest, *, lock: bool
) -> list[Order]:
    """The order, or the CDG's orders, of the caller; each still DRAFT."""
    if request.order_id is not None:
        orders = [await tenant_order(conn, context.tenant, request.order_id, lock=lock)]
    else:
        cdg_id = request.cdg_id or ""
        identifier = as_uuid(cdg_id)
        cdg = (
            None
            if identifier is None
            else await cdg_repository.load_cdg(conn, context.tenant, identifier, lock=lock)
        )
        if cdg is None or identifier is None:
            raise NotFoundError("CDG", cdg_id)
        orders = await orders_repository.load_orders_of_cdg(conn, identifier)
    for order in orders:
        order.ensure_open()
    return orders


def _progress(
    sub_order_ids: Sequence[str], steps: dict[str, set[Step]], booked: dict[str, Booking]
) -> list[SubOrderProgress]:
    return [
        SubOrderProgress(
            sub_order_id,
            frozenset(
                steps.get(sub_order_id, set())
                | ({Step.SERVICE_APPOINTMENT} if sub_order_id in booked else set())
            ),
        )
        for sub_order_id in sub_order_ids
    ]


async def _ask_appointment_service(
    appointments: AppointmentDirectory, sub_order_ids: Sequence[str], context: RequestContext
) -> list[Booking]:
    """The confirmed appointments the appointment service has for these sub-orders (503: cannot say)."""
    limit = asyncio.Semaphore(LOOKUP_CONCURRENCY)

    async def ask(sub_order_id: str) -> Booking | None:
        async with limit:
            return await appointments.confirmed_booking(sub_order_id, context)

    answers = await asyncio.gather(*(ask(sub_order_id) for sub_order_id in sub_order_ids))
    return [booking for booking in answers if booking is not None]


class _AppointmentsUnknownHere(Exception):
    """Rolls the submit back: these sub-orders are not booked in the read model (yet)."""

    def __init__(self, sub_order_ids: Sequence[str]) -> None:
        super().__init__(sub_order_ids)
        self.sub_order_ids = sub_order_ids


async def submit(
    pool: asyncpg.Pool,
    context: RequestContext,
    rules: EnrichmentRules,
    appointments: AppointmentDirectory,
    request: SubmitRequest,
) -> SubmitResponse:
    """One transaction when the read model knows every booking (the usual case); otherwise the
    appointment service is asked outside any transaction and the submit runs once more with what it
    confirmed."""
    try:
        return await _submit(pool, context, rules, request, fetched=None)
    except _AppointmentsUnknownHere as unknown:
        fetched = await _ask_appointment_service(appointments, unknown.sub_order_ids, context)
    return await _submit(pool, context, rules, request, fetched=fetched)


async def _submit(
    pool: asyncpg.Pool,
    context: RequestContext,
    rules: EnrichmentRules,
    request: SubmitRequest,
    *,
    fetched: Sequence[Booking] | None,
) -> SubmitResponse:
    """`fetched`: what the appointment service confirmed (None: not asked yet)."""
    async with transaction(pool) as conn:
        earlier = await earlier_answer(conn, context, "submit", request, SubmitResponse)
        if earlier is not None:
            return earlier
        orders = await _orders(conn, context, request, lock=True)
        for booking in fetched or ():
            await appointments_repository.record_booking(conn, booking)
        sub_order_ids = [sub_order_id for order in orders for sub_order_id in order.sub_order_ids]
        steps = await steps_repository.completed_steps(conn, [order.order_id for order in orders])
        bookings = appointments_repository.confirmed(
            await appointments_repository.current_bookings(conn, sub_order_ids)
        )
        progress = _progress(sub_order_ids, steps, bookings)
        missing = first_missing_step(progress)
        if missing is not None and missing.step is Step.SERVICE_APPOINTMENT and fetched is None:
            raise _AppointmentsUnknownHere(missing.sub_order_ids)
        ensure_submittable(progress)
        details = await load_details(conn, [order.order_id for order in orders])
        for order, order_details in zip(orders, details, strict=True):
            change = order.submit()
            await orders_repository.record_status(conn, order.order_id, change, context.trace_id)
            event = order_submitted(
                order, order_details, bookings, context, include_customer=rules.persist_customer_data
            )
            await stage(conn, event, context.transaction_id)
            await stage(conn, status_changed(order.order_id, change), context.transaction_id)
        answer = _answer(request, [order.order_id for order in orders])
        await remember_answer(conn, context, answer)
    return answer


def _answer(request: SubmitRequest, order_ids: list[str]) -> SubmitResponse:
    if request.order_id is not None:
        return SubmitResponse(order_id=order_ids[0], order_ids=order_ids, order_status="SUBMITTED")
    return SubmitResponse(cdg_id=request.cdg_id, order_ids=order_ids, order_status="SUBMITTED")
