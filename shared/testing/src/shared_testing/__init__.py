"""Pytest fixtures that give tests a real Kafka broker and a real PostgreSQL server."""
