"""Asking enrichment for a sub-order when the read model has not caught up.

`GET {ENRICHMENT_URL}/internal/v1/sub-orders/{subOrderId}` with the caller's identity headers
(enrichment then finds only that SP's sub-orders). 200: the sub-order; 404: unknown to enrichment
(or another SP's); anything else, or no answer: unavailable.
"""

from datetime import date
from typing import Any

from pydantic import ValidationError

from appointment.service_layer.ports import EnrichmentUnavailableError, InstallationFacts, SubOrderFacts
from shared_contracts.model import CamelModel
from shared_http.service_client import ServiceClient, ServiceUnreachableError

SUB_ORDER_PATH = "/internal/v1/sub-orders/{sub_order_id}"


class _Installation(CamelModel):
    site_address: dict[str, Any]
    customer_requested_start_date: date
    customer_requested_due_date: date


class _SubOrder(CamelModel):
    order_id: str
    sub_order_id: str
    sp_id: str
    environment: str
    site_address: dict[str, Any]
    installation: _Installation | None = None


def _facts(answer: _SubOrder) -> SubOrderFacts:
    installation = answer.installation
    return SubOrderFacts(
        order_id=answer.order_id,
        sub_order_id=answer.sub_order_id,
        sp_id=answer.sp_id,
        environment=answer.environment,
        site_address=answer.site_address,
        installation=None
        if installation is None
        else InstallationFacts(
            site_address=installation.site_address,
            requested_start=installation.customer_requested_start_date,
            requested_due=installation.customer_requested_due_date,
        ),
    )


class HttpSubOrderDirectory:
    def __init__(self, client: ServiceClient) -> None:
        self._client = client

    async def sub_order(self, sub_order_id: str, headers: dict[str, str]) -> SubOrderFacts | None:
        try:
            response = await self._client.request(
                "GET", SUB_ORDER_PATH.format(sub_order_id=sub_order_id), headers=headers
            )
        except ServiceUnreachableError as error:
            raise EnrichmentUnavailableError(f"enrichment unreachable: {error}") from error
        if response.status == 404:
            return None
        if response.status != 200:
            raise EnrichmentUnavailableError(f"enrichment answered {response.status}")
        try:
            return _facts(_SubOrder.model_validate_json(response.content))
        except ValidationError as error:
            raise EnrichmentUnavailableError("enrichment answered an unreadable sub-order") from error
