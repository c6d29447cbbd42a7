"""How the gateway is reached: HTTP (the public API) and the command line (`clients`, `openapi`)."""
