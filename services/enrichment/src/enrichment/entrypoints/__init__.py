"""How the world reaches the use cases: the internal HTTP API and the Kafka handlers."""
