"""Submit: `POST /api/v1/order/submit` with `orderId` or `cdgId` (a CDG submits all its orders or none)."""

from pydantic import ConfigDict, Field

from shared_contracts.distributor import examples
from shared_contracts.distributor.selection import OrderOrCdg
from shared_contracts.distributor.types import OrderStatus, Success
from shared_contracts.model import StrictCamelModel


class SubmitRequest(OrderOrCdg):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUBMIT_ORDER, examples.SUBMIT_CDG]})


class SubmitResponse(StrictCamelModel):
    status: Success = "SUCCESS"
    order_id: str | None = Field(default=None, description="The submitted order (when submitted by orderId).")
    cdg_id: str | None = Field(default=None, description="The submitted group (when submitted by cdgId).")
    order_ids: list[str] = Field(description="Every order this submit moved to SUBMITTED.")
    order_status: OrderStatus
