"""The five Merchandising services: method, path, request model and success model of each."""

from dataclasses import dataclass
from typing import Final, Literal

from shared_contracts.merchandising.available_inventory import (
    AvailableInventoryRequest,
    AvailableInventoryResponse,
)
from shared_contracts.merchandising.fulfillment_cancel import FulfillmentOrderCancelRequest
from shared_contracts.merchandising.fulfillment_confirmation import FulfillmentOrderCreateResponse
from shared_contracts.merchandising.fulfillment_create import FulfillmentOrderCreateRequest
from shared_contracts.merchandising.inventory_backorder import InventoryBackorderRequest
from shared_contracts.merchandising.item_substitution import ItemSubstitutionRequest
from shared_contracts.merchandising.success import MerchSuccess
from shared_contracts.model import RequestModel, StrictCamelModel

MERCH_BASE_PATH: Final = "/MerchIntegrations/services/customerOrders"


@dataclass(frozen=True)
class MerchOperation:
    """One Merchandising service as the specification defines it."""

    name: str
    method: Literal["POST", "PUT"]
    request: type[RequestModel]
    response: type[StrictCamelModel]
    read_only: bool = False
    """A lookup sent as POST (it changes nothing)."""

    @property
    def path(self) -> str:
        return f"{MERCH_BASE_PATH}/{self.name}"


AVAILABLE_INVENTORY_GET: Final = MerchOperation(
    "availableInventory/get", "POST", AvailableInventoryRequest, AvailableInventoryResponse, read_only=True
)
INVENTORY_BACKORDER_CREATE: Final = MerchOperation(
    "inventoryBackorder/create", "POST", InventoryBackorderRequest, MerchSuccess
)
ITEM_SUBSTITUTION_CREATE: Final = MerchOperation(
    "itemSubstitution/create", "POST", ItemSubstitutionRequest, MerchSuccess
)
FULFILLMENT_ORDER_CANCEL: Final = MerchOperation(
    "fulfillmentOrder/cancel", "PUT", FulfillmentOrderCancelRequest, MerchSuccess
)
FULFILLMENT_ORDER_CREATE: Final = MerchOperation(
    "fulfillmentOrder/create", "POST", FulfillmentOrderCreateRequest, FulfillmentOrderCreateResponse
)

MERCH_OPERATIONS: Final[tuple[MerchOperation, ...]] = (
    AVAILABLE_INVENTORY_GET,
    INVENTORY_BACKORDER_CREATE,
    ITEM_SUBSTITUTION_CREATE,
    FULFILLMENT_ORDER_CANCEL,
    FULFILLMENT_ORDER_CREATE,
)
