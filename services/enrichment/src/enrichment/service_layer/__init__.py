"""Use cases: each runs its checks and writes in one transaction, its events through the outbox."""
