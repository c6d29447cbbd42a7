"""How the world reaches the appointment service: Kafka handlers (and, later, its HTTP API)."""
