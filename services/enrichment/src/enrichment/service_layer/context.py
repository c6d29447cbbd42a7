"""Who asks, on whose behalf, and what the use cases need from configuration."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from enrichment.domain.sandbox import SandboxTestData

Environment = Literal["sandbox", "production"]


@dataclass(frozen=True)
class Tenant:
    """The Solution Provider account and environment of the credential; every order belongs to one."""

    sp_id: str
    environment: Environment

    @property
    def is_sandbox(self) -> bool:
        return self.environment == "sandbox"


@dataclass(frozen=True)
class RequestContext:
    tenant: Tenant
    client_id: str
    trace_id: str
    transaction_id: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class EnrichmentRules:
    sandbox: SandboxTestData
    timezone: ZoneInfo
    persist_customer_data: bool
    max_page_size: int

    def today(self) -> date:
        return datetime.now(self.timezone).date()


def as_uuid(identifier: str) -> uuid.UUID | None:
    """The UUID an id stands for; None for text that cannot be one of our ids (so: not found)."""
    try:
        return uuid.UUID(identifier)
    except ValueError:
        return None
