"""A sub-order as appointment knows it: its tenant, site and requested installation dates."""

from dataclasses import dataclass

from appointment.domain.errors import NotFoundError, StepIncompleteError
from appointment.domain.schedule import RequestedDates
from shared_contracts.sandbox import Address

INSTALLATION_STEP = "Installation"


@dataclass(frozen=True)
class Tenant:
    """Who may see a sub-order: the Solution Provider and the environment of the credential."""

    sp_id: str
    environment: str


@dataclass(frozen=True)
class SubOrder:
    sub_order_id: str
    order_id: str
    tenant: Tenant
    site_address: Address
    requested: RequestedDates | None
    """None until installation enrichment."""

    def check_visible_to(self, tenant: Tenant, order_id: str) -> None:
        """Another tenant's sub-order, or one of another order, is not found (404, never 403)."""
        if self.tenant != tenant or self.order_id != order_id:
            raise NotFoundError("Sub-order", self.sub_order_id)

    def requested_dates(self) -> RequestedDates:
        if self.requested is None:
            raise StepIncompleteError(INSTALLATION_STEP)
        return self.requested
