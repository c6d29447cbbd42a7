"""Asking the appointment service directly, for when the local read model has not caught up.

`GET {APPOINTMENT_URL}/internal/v1/appointments?subOrderId=<id>` with the caller's identity headers.
Read tolerantly: 200 with one appointment object, a list of them, or `{"appointments": [...]}`;
an appointment counts when its `status` is `CONFIRMED` (fields `appointmentId`, `orderId`,
`subOrderId`, `startDate`, `endDate`; dates as `YYYY-MM-DD HH:MM:SS.mmm` or ISO 8601).
404 (or an error body with code `NOT_FOUND`) means no appointment. Anything else is "unavailable".
"""

import logging
from datetime import datetime
from typing import Any

from enrichment.adapters.appointments_repository import Booking
from enrichment.service_layer.context import RequestContext
from enrichment.service_layer.ports import AppointmentServiceUnavailableError
from shared_http.service_client import ServiceClient, ServiceUnreachableError

APPOINTMENTS_PATH = "/internal/v1/appointments"

log = logging.getLogger(__name__)


def identity_headers(context: RequestContext) -> dict[str, str]:
    headers = {
        "x-client-id": context.client_id,
        "x-sp-id": context.tenant.sp_id,
        "x-environment": context.tenant.environment,
        "x-roles": "distributor",
        "x-trace-id": context.trace_id,
    }
    if context.transaction_id:
        headers["x-transaction-id"] = context.transaction_id
    if context.source:
        headers["source"] = context.source
    return headers


def _entries(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return [entry for entry in body if isinstance(entry, dict)]
    if isinstance(body, dict):
        listed = body.get("appointments")
        if isinstance(listed, list):
            return _entries(listed)
        return [body]
    return []


def confirmed_in(body: Any, sub_order_id: str) -> Booking | None:
    """The confirmed appointment of `sub_order_id` in an answer of the appointment service."""
    for entry in _entries(body):
        if entry.get("status") != "CONFIRMED" or entry.get("subOrderId", sub_order_id) != sub_order_id:
            continue
        return Booking(
            appointment_id=str(entry["appointmentId"]),
            order_id=str(entry.get("orderId", "")),
            sub_order_id=sub_order_id,
            status="CONFIRMED",
            start_date=datetime.fromisoformat(str(entry["startDate"])),
            end_date=datetime.fromisoformat(str(entry["endDate"])),
        )
    return None


class HttpAppointmentDirectory:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def confirmed_booking(self, sub_order_id: str, context: RequestContext) -> Booking | None:
        try:
            response = await self._client.request(
                "GET",
                APPOINTMENTS_PATH,
                params={"subOrderId": sub_order_id},
                headers=identity_headers(context),
            )
        except ServiceUnreachableError as error:
            raise AppointmentServiceUnavailableError(f"appointment service unreachable: {error}") from error
        if response.status == 404:
            return None
        try:
            body = response.json()
        except ValueError as error:
            raise AppointmentServiceUnavailableError("appointment service answered no JSON") from error
        if isinstance(body, dict) and body.get("code") == "NOT_FOUND":
            return None
        if response.status != 200:
            raise AppointmentServiceUnavailableError(f"appointment service answered {response.status}")
        try:
            return confirmed_in(body, sub_order_id)
        except (KeyError, ValueError) as error:
            log.warning("unreadable appointment of sub-order %s: %r", sub_order_id, error)
            raise AppointmentServiceUnavailableError(
                "appointment service answered an unreadable body"
            ) from error
