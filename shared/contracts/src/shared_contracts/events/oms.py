"""Commands the OMS sends on its topics; the value is the body of the matching HTTP service.

Unlike events, these are validated as strictly as the HTTP requests (unknown fields refused): the
same body must have the same outcome whichever way it arrives. A command that fails validation goes
to the topic's DLQ.
"""

from typing import ClassVar

from shared_contracts import topics
from shared_contracts.events.base import Event
from shared_contracts.merchandising.fulfillment_cancel import FulfillmentOrderCancelRequest
from shared_contracts.merchandising.fulfillment_create import FulfillmentOrderCreateRequest
from shared_contracts.merchandising.inventory_backorder import InventoryBackorderRequest
from shared_contracts.merchandising.item_substitution import ItemSubstitutionRequest
from shared_contracts.model import RequestModel


class OmsCommand(Event):
    """A command from the OMS. Its key is that of the body's first entry, `""` when it has none."""

    model_config = RequestModel.model_config


class FulfillmentOrderCreateRequested(FulfillmentOrderCreateRequest, OmsCommand):
    """The body of Create Fulfillment Order, sent on `oms.fulfillment-order.v1`."""

    event_type: ClassVar[str] = "FulfillmentOrderCreateRequested"
    topic: ClassVar[str] = topics.OMS_FULFILLMENT_ORDERS

    def partition_key(self) -> str:
        return self.items[0].customer_order_no if self.items else ""


class FulfillmentOrderCancelRequested(FulfillmentOrderCancelRequest, OmsCommand):
    """The body of Cancel Fulfillment Order, sent on `oms.fulfillment-order.v1`."""

    event_type: ClassVar[str] = "FulfillmentOrderCancelRequested"
    topic: ClassVar[str] = topics.OMS_FULFILLMENT_ORDERS

    def partition_key(self) -> str:
        return self.items[0].customer_order_no if self.items else ""


class InventoryBackorderRequested(InventoryBackorderRequest, OmsCommand):
    """The body of Create Inventory Backorder, sent on `oms.inventory-backorder.v1`."""

    event_type: ClassVar[str] = "InventoryBackorderRequested"
    topic: ClassVar[str] = topics.OMS_INVENTORY_BACKORDERS

    def partition_key(self) -> str:
        return self.items[0].item if self.items else ""


class ItemSubstitutionRequested(ItemSubstitutionRequest, OmsCommand):
    """The body of Create Customer Order Item Substitution, sent on `oms.item-substitution.v1`."""

    event_type: ClassVar[str] = "ItemSubstitutionRequested"
    topic: ClassVar[str] = topics.OMS_ITEM_SUBSTITUTIONS

    def partition_key(self) -> str:
        return self.items[0].customer_order_no if self.items else ""
