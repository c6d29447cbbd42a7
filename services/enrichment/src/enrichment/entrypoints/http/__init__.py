"""The HTTP API: the public distributor paths (forwarded unchanged by the gateway) and internal reads."""
