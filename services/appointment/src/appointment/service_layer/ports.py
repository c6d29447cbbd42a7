"""What the use cases need from outside: enrichment's view of a sub-order."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


class EnrichmentUnavailableError(Exception):
    """Enrichment could not be asked (no connection, timeout, 5xx, unreadable answer)."""


@dataclass(frozen=True)
class InstallationFacts:
    site_address: dict[str, Any]
    requested_start: date
    requested_due: date


@dataclass(frozen=True)
class SubOrderFacts:
    order_id: str
    sub_order_id: str
    sp_id: str
    environment: str
    site_address: dict[str, Any]
    installation: InstallationFacts | None


class SubOrderDirectory(Protocol):
    async def sub_order(self, sub_order_id: str, headers: dict[str, str]) -> SubOrderFacts | None:
        """The sub-order as enrichment knows it now; None when enrichment does not know it."""
        ...
