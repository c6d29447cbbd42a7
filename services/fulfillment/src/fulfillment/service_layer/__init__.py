"""fulfillment service_layer."""
