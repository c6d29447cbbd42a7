"""The internal view of a sub-order for the appointment service (when its read model lags)."""

from datetime import date

import asyncpg

from enrichment.adapters.sub_order_reader import load_sub_order_facts
from enrichment.domain.errors import NotFoundError
from enrichment.service_layer.context import Environment, as_uuid
from shared_contracts.distributor import Identifier
from shared_contracts.model import StrictCamelModel


class InternalAddress(StrictCamelModel):
    street: str
    city: str
    state: str
    postal_code: str


class InternalInstallation(StrictCamelModel):
    site_address: InternalAddress
    customer_requested_start_date: date
    customer_requested_due_date: date


class InternalSubOrder(StrictCamelModel):
    """`GET /internal/v1/sub-orders/{subOrderId}`; `installation` is null until installation enrichment."""

    order_id: str
    sub_order_id: str
    sp_id: str
    environment: Environment
    order_status: str
    site_address: InternalAddress
    installation: InternalInstallation | None


async def sub_order_for_appointments(
    pool: asyncpg.Pool, sub_order_id: Identifier, sp_id: str | None
) -> InternalSubOrder:
    """404 for an unknown sub-order, and for another SP's when the caller names its SP."""
    identifier = as_uuid(sub_order_id)
    async with pool.acquire() as conn:
        facts = None if identifier is None else await load_sub_order_facts(conn, identifier)
    if facts is None or (sp_id is not None and facts.sp_id != sp_id):
        raise NotFoundError("Sub-order", sub_order_id)
    installation = facts.installation
    return InternalSubOrder.model_validate(
        {
            "orderId": facts.order_id,
            "subOrderId": facts.sub_order_id,
            "spId": facts.sp_id,
            "environment": facts.environment,
            "orderStatus": facts.order_status,
            "siteAddress": facts.site_address,
            "installation": None
            if installation is None
            else {
                "siteAddress": installation.get("siteAddress", facts.site_address),
                "customerRequestedStartDate": installation["customerRequestedStartDate"],
                "customerRequestedDueDate": installation["customerRequestedDueDate"],
            },
        }
    )
