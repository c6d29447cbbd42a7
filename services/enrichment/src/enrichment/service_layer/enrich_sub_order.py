"""Installation, shipping and billing enrichment of one sub-order; each emits OrderEnriched."""

from typing import Any

import asyncpg

from enrichment.adapters import steps_repository
from enrichment.adapters.database import transaction
from enrichment.adapters.steps_repository import SubOrderRecord
from enrichment.domain.billing import check_billed_items, new_invoice_number
from enrichment.domain.dates import check_requested_dates
from enrichment.domain.order import Order
from enrichment.domain.steps import Step
from enrichment.service_layer.context import EnrichmentRules, RequestContext
from enrichment.service_layer.events import stage
from enrichment.service_layer.lookup import open_order, sub_order_of
from shared_contracts.distributor import (
    BillingRequest,
    BillingResponse,
    EnrichmentResponse,
    InstallationRequest,
    ShippingRequest,
)
from shared_contracts.events import OrderEnriched
from shared_contracts.events.common import SiteAddress
from shared_contracts.sandbox import Address

_TARGET_FIELDS = {"order_id", "sub_order_id"}


def _address(site_address: dict[str, Any]) -> Address:
    return Address(
        site_address["street"], site_address["city"], site_address["state"], site_address["postalCode"]
    )


async def _complete_step(
    conn: asyncpg.Connection,
    context: RequestContext,
    order: Order,
    sub_order: SubOrderRecord,
    step: Step,
    data: dict[str, Any],
    **typed_fields: Any,
) -> None:
    await steps_repository.save_step(
        conn, order.order_id, sub_order.sub_order_id, step, data, context.trace_id
    )
    event = OrderEnriched(
        order_id=order.order_id,
        sp_id=context.tenant.sp_id,
        environment=context.tenant.environment,
        sub_order_id=sub_order.sub_order_id,
        step=step.value,
        data=data,
        **typed_fields,
    )
    await stage(conn, event, context.transaction_id)


async def enrich_installation(
    pool: asyncpg.Pool, context: RequestContext, rules: EnrichmentRules, request: InstallationRequest
) -> EnrichmentResponse:
    """Start <= due, neither in the past; in the sandbox only a mocked site address. Repeating replaces."""
    check_requested_dates(
        request.customer_requested_start_date, request.customer_requested_due_date, rules.today()
    )
    async with transaction(pool) as conn:
        order = await open_order(conn, context.tenant, request.order_id)
        sub_order = await sub_order_of(conn, order, request.sub_order_id)
        site_address = (
            request.site_address.model_dump(mode="json") if request.site_address else sub_order.site_address
        )
        if context.tenant.is_sandbox:
            rules.sandbox.check_site_address(_address(site_address))
        data = request.model_dump(mode="json", exclude=_TARGET_FIELDS) | {"siteAddress": site_address}
        await _complete_step(
            conn,
            context,
            order,
            sub_order,
            Step.INSTALLATION,
            data,
            site_address=SiteAddress.model_validate(site_address),
            customer_requested_start_date=request.customer_requested_start_date,
            customer_requested_due_date=request.customer_requested_due_date,
        )
    return EnrichmentResponse(
        order_id=order.order_id,
        sub_order_id=sub_order.sub_order_id,
        step="INSTALLATION",
        status_message="Installation enrichment saved",
    )


async def enrich_shipping(
    pool: asyncpg.Pool, context: RequestContext, request: ShippingRequest
) -> EnrichmentResponse:
    async with transaction(pool) as conn:
        order = await open_order(conn, context.tenant, request.order_id)
        sub_order = await sub_order_of(conn, order, request.sub_order_id)
        data = request.model_dump(mode="json", exclude=_TARGET_FIELDS)
        await _complete_step(conn, context, order, sub_order, Step.SHIPPING, data)
    return EnrichmentResponse(
        order_id=order.order_id,
        sub_order_id=sub_order.sub_order_id,
        step="SHIPPING",
        status_message="Shipping enrichment saved",
    )


async def enrich_billing(
    pool: asyncpg.Pool, context: RequestContext, request: BillingRequest
) -> BillingResponse:
    """The quote must be the order's and the items the sub-order's; an invoice number is kept or assigned."""
    async with transaction(pool) as conn:
        order = await open_order(conn, context.tenant, request.order_id)
        sub_order = await sub_order_of(conn, order, request.sub_order_id)
        order.check_quote(request.quote_id)
        check_billed_items(
            sub_order.sub_order_id, sub_order.item_ids, [item.order_item_id for item in request.ordered_items]
        )
        earlier = await steps_repository.step_data(conn, sub_order.sub_order_id, Step.BILLING)
        invoice_number = (
            request.invoice_number
            or (earlier or {}).get("billingAccountInvoiceNumber")
            or new_invoice_number()
        )
        data = {
            "quoteId": request.quote_id,
            "billingAccountName": request.billing_account_name,
            "billingAccountInvoiceNumber": invoice_number,
            "orderedItems": [item.model_dump(mode="json") for item in request.ordered_items],
        }
        await _complete_step(conn, context, order, sub_order, Step.BILLING, data)
    return BillingResponse(
        billing_account_name=request.billing_account_name, billing_account_invoice_number=invoice_number
    )
