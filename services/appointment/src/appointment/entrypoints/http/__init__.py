"""The service's HTTP API: the distributor paths the gateway forwards, and the internal lookup."""
