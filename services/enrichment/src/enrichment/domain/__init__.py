"""The enrichment rules as pure functions and value objects: no I/O, no framework."""
