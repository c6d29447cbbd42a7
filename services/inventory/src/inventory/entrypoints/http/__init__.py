"""HTTP: the Merchandising paths (through the gateway) and the internal API for other services."""
