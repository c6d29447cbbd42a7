"""Who asks: the tenant of the credential, and what to forward when asking another service."""

from dataclasses import dataclass, field

from appointment.domain.sub_order import Tenant


@dataclass(frozen=True)
class RequestContext:
    tenant: Tenant
    forwarded_headers: dict[str, str] = field(default_factory=dict)
    """The caller's identity and trace headers, for calls made on its behalf."""
    transaction_id: str | None = None

    @property
    def is_sandbox(self) -> bool:
        return self.tenant.environment == "sandbox"
