"""fulfillment adapters."""
