"""Request and response bodies of the Merchandising "Customer Orders" services, exactly per the specification.

Request models refuse unknown fields and accept only the specification's camelCase names; the
business rules (for example `collectionSize` equal to the number of items) belong to the services.
"""

from shared_contracts.merchandising.available_inventory import (
    AvailableInventoryItem,
    AvailableInventoryRequest,
    AvailableInventoryResponse,
    InventoryLocation,
)
from shared_contracts.merchandising.customer_details import (
    CustomerDetails,
    LocalizationAttribute,
    LocalizationExtension,
)
from shared_contracts.merchandising.fulfillment_cancel import (
    CancelDetail,
    FulfillmentOrderCancellation,
    FulfillmentOrderCancelRequest,
)
from shared_contracts.merchandising.fulfillment_confirmation import (
    ConfirmationDetail,
    FulfillmentConfirmation,
    FulfillmentOrderCreateResponse,
)
from shared_contracts.merchandising.fulfillment_create import (
    FulfillmentOrder,
    FulfillmentOrderCreateRequest,
    FulfillmentOrderDetail,
)
from shared_contracts.merchandising.inventory_backorder import BackorderItem, InventoryBackorderRequest
from shared_contracts.merchandising.item_substitution import (
    ItemSubstitutionRequest,
    SubstituteDetail,
    SubstitutionItem,
)
from shared_contracts.merchandising.operations import (
    AVAILABLE_INVENTORY_GET,
    FULFILLMENT_ORDER_CANCEL,
    FULFILLMENT_ORDER_CREATE,
    INVENTORY_BACKORDER_CREATE,
    ITEM_SUBSTITUTION_CREATE,
    MERCH_BASE_PATH,
    MERCH_OPERATIONS,
    MerchOperation,
)
from shared_contracts.merchandising.spec_samples import SPEC_SAMPLES, read_spec_sample
from shared_contracts.merchandising.success import SUCCESS_MESSAGE, MerchSuccess

__all__ = [
    "AVAILABLE_INVENTORY_GET",
    "FULFILLMENT_ORDER_CANCEL",
    "FULFILLMENT_ORDER_CREATE",
    "INVENTORY_BACKORDER_CREATE",
    "ITEM_SUBSTITUTION_CREATE",
    "MERCH_BASE_PATH",
    "MERCH_OPERATIONS",
    "SPEC_SAMPLES",
    "SUCCESS_MESSAGE",
    "AvailableInventoryItem",
    "AvailableInventoryRequest",
    "AvailableInventoryResponse",
    "BackorderItem",
    "CancelDetail",
    "ConfirmationDetail",
    "CustomerDetails",
    "FulfillmentConfirmation",
    "FulfillmentOrder",
    "FulfillmentOrderCancelRequest",
    "FulfillmentOrderCancellation",
    "FulfillmentOrderCreateRequest",
    "FulfillmentOrderCreateResponse",
    "FulfillmentOrderDetail",
    "InventoryBackorderRequest",
    "InventoryLocation",
    "ItemSubstitutionRequest",
    "LocalizationAttribute",
    "LocalizationExtension",
    "MerchOperation",
    "MerchSuccess",
    "SubstituteDetail",
    "SubstitutionItem",
    "read_spec_sample",
]
