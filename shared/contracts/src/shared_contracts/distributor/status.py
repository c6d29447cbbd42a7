"""Order status: `GET /api/v1/orders` (paged, filtered) and `GET /api/v1/order/{orderId}`."""

from datetime import datetime

from pydantic import ConfigDict, Field

from shared_contracts.distributor import examples
from shared_contracts.distributor.summary import ConfirmationType
from shared_contracts.distributor.types import Identifier, OrderStatus, Success
from shared_contracts.model import RequestModel, StrictCamelModel

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class OrderListQuery(RequestModel):
    """Query of `GET /api/v1/orders`."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.ORDER_LIST_QUERY]})

    external_order_id: Identifier | None = Field(default=None, description="Only orders with this reference.")
    status: OrderStatus | None = Field(default=None, description="Only orders in this status.")
    offset: int = Field(default=0, ge=0, le=1_000_000, description="Orders to skip (newest first).")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size, 1..100.")


class SubOrderStatus(StrictCamelModel):
    sub_order_id: str
    confirmation_type: ConfirmationType | None = None
    confirmation_no: int | None = None


class OrderStatusView(StrictCamelModel):
    order_id: str
    contract_id: str
    quote_id: str
    external_order_id: str | None = None
    cdg_id: str | None = None
    order_status: OrderStatus
    created_at: datetime
    updated_at: datetime
    sub_orders: list[SubOrderStatus]


class OrderStatusResponse(OrderStatusView):
    """`GET /api/v1/order/{orderId}`."""

    status: Success = "SUCCESS"


class OrderListResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    offset: int
    limit: int
    total: int = Field(description="Orders matching the filters, over all pages.")
    orders: list[OrderStatusView]
