"""The specification's sample messages, copied verbatim, and the model each one is an instance of.

Every sample input message must work as written (API.md), so services and end-to-end tests can
send these exact bytes.
"""

from importlib.resources import files
from typing import Final

from pydantic import BaseModel

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

SPEC_SAMPLES: Final[dict[str, type[BaseModel]]] = {
    "available_inventory_get_request": AvailableInventoryRequest,
    "available_inventory_get_response": AvailableInventoryResponse,
    "inventory_backorder_create_request": InventoryBackorderRequest,
    "inventory_backorder_create_response": MerchSuccess,
    "item_substitution_create_request": ItemSubstitutionRequest,
    "item_substitution_create_response": MerchSuccess,
    "fulfillment_order_cancel_request": FulfillmentOrderCancelRequest,
    "fulfillment_order_cancel_response": MerchSuccess,
    "fulfillment_order_create_request": FulfillmentOrderCreateRequest,
    "fulfillment_order_create_response": FulfillmentOrderCreateResponse,
}
"""Sample name -> the model of that message. The names of the request samples end in `_request`."""


def read_spec_sample(name: str) -> str:
    """The JSON text of the sample `name` (a key of `SPEC_SAMPLES`), exactly as the specification has it."""
    if name not in SPEC_SAMPLES:
        raise KeyError(f"no specification sample named {name!r}; known: {', '.join(sorted(SPEC_SAMPLES))}")
    return files(__package__).joinpath("samples", f"{name}.json").read_text(encoding="utf-8")
