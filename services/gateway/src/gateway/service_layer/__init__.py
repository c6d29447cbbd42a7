"""What the gateway does with a request: admit the caller, keep idempotency, forward."""
