"""fulfillment entrypoints/http."""
