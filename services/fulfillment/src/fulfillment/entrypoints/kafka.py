"""The topics this service consumes and the handler of each event type (inbox names are stable)."""

from fulfillment.entrypoints.components import Components
from fulfillment.service_layer.oms_commands import CancelRequestedHandler, CreateRequestedHandler
from fulfillment.service_layer.saga import OrderSubmittedHandler
from fulfillment.service_layer.substitution import handle_item_substituted
from shared_contracts import topics
from shared_messaging import NamedHandler
from shared_runtime import Consumes


def subscriptions(components: Components) -> list[Consumes]:
    inventory, rules = components.inventory, components.rules
    return [
        Consumes(
            topics.OMS_FULFILLMENT_ORDERS,
            {
                "FulfillmentOrderCreateRequested": NamedHandler(
                    "fulfillment.create-requested", CreateRequestedHandler(inventory, rules)
                ),
                "FulfillmentOrderCancelRequested": NamedHandler(
                    "fulfillment.cancel-requested", CancelRequestedHandler(rules)
                ),
            },
        ),
        Consumes(
            topics.ORDERS,
            {
                "OrderSubmitted": NamedHandler(
                    "fulfillment.order-submitted", OrderSubmittedHandler(inventory, rules)
                )
            },
        ),
        Consumes(
            topics.INVENTORY_STOCK,
            {"ItemSubstituted": NamedHandler("fulfillment.item-substituted", handle_item_substituted)},
        ),
    ]
