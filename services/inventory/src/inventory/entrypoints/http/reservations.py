"""Internal reservations API for fulfillment (not routed by the gateway). See the README."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query

from inventory.adapters import reservations as reservation_store
from inventory.domain.errors import FieldProblem, InvalidRequestError, NotFoundError
from inventory.domain.releases import ReleaseRequest as ReleaseOfLine
from inventory.entrypoints.http.dependencies import Components, PoolDep
from inventory.entrypoints.http.errors import answered_as_api_errors
from inventory.entrypoints.http.reservation_models import (
    ReleaseRequest,
    ReservationOut,
    ReserveRequest,
    ReserveResponse,
)
from inventory.entrypoints.http.reservation_views import reservation_out, reserve_response
from inventory.service_layer import reservations, reserving
from inventory.service_layer.reserving import RequestedLine, ReserveCommand
from shared_http.caller import TRANSACTION_HEADER
from shared_observability.metrics import count_reservation

RESERVATIONS = "/internal/v1/reservations"
RESERVATION = RESERVATIONS + "/{reservationId}"

ReservationId = Annotated[uuid.UUID, Path(alias="reservationId")]
TransactionId = Annotated[str | None, Header(alias=TRANSACTION_HEADER)]


def _command(body: ReserveRequest, hold_seconds_default: int, hold_seconds_max: int) -> ReserveCommand:
    problems = []
    if body.hold_seconds is not None and body.hold_seconds > hold_seconds_max:
        problems.append(FieldProblem("holdSeconds", f"must be at most {hold_seconds_max}", body.hold_seconds))
    seen: dict[tuple[str, int | None], int] = {}
    for index, line in enumerate(body.lines):
        key = (line.item, line.item_line_no)
        if key in seen:
            problems.append(
                FieldProblem(
                    f"lines[{index}]", f"repeats item and itemLineNo of lines[{seen[key]}]", line.item
                )
            )
        seen.setdefault(key, index)
    if problems:
        raise InvalidRequestError(problems)
    return ReserveCommand(
        customer_order_no=body.customer_order_no,
        fulfill_order_no=body.fulfill_order_no,
        lines=[
            RequestedLine(line.item, line.location, line.quantity, line.uom, line.item_line_no)
            for line in body.lines
        ],
        hold_seconds=body.hold_seconds or hold_seconds_default,
        partial=body.mode == "PARTIAL",
    )


def reservations_router(components: Components) -> APIRouter:
    router = APIRouter(tags=["internal: reservations"])
    settings, window = components.settings, components.window

    @router.post(RESERVATIONS)
    async def reserve(
        body: ReserveRequest, pool: PoolDep, transaction_id: TransactionId = None
    ) -> ReserveResponse:
        """Hold stock for lines of a fulfillment order (idempotent by fulfillment order + line)."""
        with answered_as_api_errors(merchandising=False):
            if len(body.lines) > settings.reservation_max_lines:
                raise InvalidRequestError(
                    [
                        FieldProblem(
                            "lines", f"at most {settings.reservation_max_lines} lines", len(body.lines)
                        )
                    ]
                )
            command = _command(body, settings.hold_seconds_default, settings.hold_seconds_max)
            async with pool.acquire() as conn, conn.transaction():
                result = await reserving.reserve(conn, command, window, transaction_id=transaction_id)
        count_reservation("inventory", result.outcome.lower())
        return reserve_response(result)

    @router.get(RESERVATIONS)
    async def find(
        pool: PoolDep,
        customer_order_no: Annotated[str, Query(alias="customerOrderNo", min_length=1, max_length=48)],
        fulfill_order_no: Annotated[str, Query(alias="fulfillOrderNo", min_length=1, max_length=48)],
    ) -> ReservationOut:
        with answered_as_api_errors(merchandising=False):
            found = await reservation_store.find_by_order(pool, customer_order_no, fulfill_order_no)
            if found is None:
                raise NotFoundError(f"No reservation for {customer_order_no} / {fulfill_order_no}")
            return reservation_out(await reservations.view(pool, found))

    @router.get(RESERVATION)
    async def get(reservation_id: ReservationId, pool: PoolDep) -> ReservationOut:
        with answered_as_api_errors(merchandising=False):
            found = await reservation_store.find_by_id(pool, reservation_id)
            if found is None:
                raise NotFoundError(f"No reservation {reservation_id}")
            return reservation_out(await reservations.view(pool, found))

    @router.post(RESERVATION + "/confirm")
    async def confirm(reservation_id: ReservationId, pool: PoolDep) -> ReservationOut:
        """HELD lines become CONFIRMED (no expiry); lines that expired are held again if possible."""
        with answered_as_api_errors(merchandising=False):
            async with pool.acquire() as conn, conn.transaction():
                return reservation_out(await reservations.confirm(conn, reservation_id, window))

    @router.post(RESERVATION + "/release")
    async def release(
        reservation_id: ReservationId, pool: PoolDep, body: Annotated[ReleaseRequest | None, Body()] = None
    ) -> ReservationOut:
        """Give back the named quantities, or every open line when no lines are named."""
        body = body or ReleaseRequest()
        requests = (
            None
            if body.lines is None
            else [ReleaseOfLine(line.item, line.item_line_no, line.quantity) for line in body.lines]
        )
        with answered_as_api_errors(merchandising=False):
            async with pool.acquire() as conn, conn.transaction():
                view = await reservations.release(
                    conn,
                    reservation_id,
                    window,
                    requests=requests,
                    reason=body.reason,
                    release_id=body.release_id,
                )
        count_reservation("inventory", "released")
        return reservation_out(view)

    return router
