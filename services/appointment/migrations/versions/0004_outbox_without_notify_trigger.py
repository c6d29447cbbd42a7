"""The outbox loses its NOTIFY trigger: the relay is woken after the commit (ADR 0004).

Revision ID: 0004
Revises: 0003
"""

from shared_messaging.schema import drop_outbox_notify_trigger as upgrade
from shared_messaging.schema import restore_outbox_notify_trigger as downgrade

revision = "0004"
down_revision = "0003"

__all__ = ["downgrade", "upgrade"]
