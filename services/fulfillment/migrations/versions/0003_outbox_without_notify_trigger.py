"""The outbox loses its NOTIFY trigger: the relay is woken after the commit (ADR 0004).

Revision ID: 0003
Revises: 0002
"""

from shared_messaging.schema import drop_outbox_notify_trigger as upgrade
from shared_messaging.schema import restore_outbox_notify_trigger as downgrade

revision = "0003"
down_revision = "0002"

__all__ = ["downgrade", "upgrade"]
