"""How the world reaches the use cases: HTTP routes, Kafka handlers, commands, background tasks."""
