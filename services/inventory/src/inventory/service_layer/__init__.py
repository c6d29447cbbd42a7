"""Use cases: each runs inside one transaction given by the caller (HTTP route or Kafka handler)."""
