"""fulfillment entrypoints."""
