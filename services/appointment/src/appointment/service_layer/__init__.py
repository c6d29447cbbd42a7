"""Use cases: one transaction each, events through the outbox."""
