"""The outbox loses its NOTIFY trigger: the relay is woken after the commit (ADR 0004).

Revision ID: 0005
Revises: 0004
"""

from shared_messaging.schema import drop_outbox_notify_trigger as upgrade
from shared_messaging.schema import restore_outbox_notify_trigger as downgrade

revision = "0005"
down_revision = "0004"

__all__ = ["downgrade", "upgrade"]
