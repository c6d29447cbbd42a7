"""enrichment settings: the shared ones plus this service's own (environment variables, upper case)."""

from typing import Literal

from pydantic import Field

from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES
from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "enrichment"
    http_port: int = 8081

    appointment_url: str = Field(
        default="http://127.0.0.1:8082",
        description="Base URL of the appointment service's internal API (read-model fallback on submit).",
    )
    appointment_timeout_seconds: float = Field(default=3.0, gt=0)
    persist_customer_data_ind: Literal["Y", "N"] = Field(
        default="Y",
        description=(
            "N: the order's customer and contacts are not stored and OrderSubmitted omits the customer."
        ),
    )
    sandbox_addresses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MOCKED_ADDRESSES),
        min_length=1,
        description=(
            "Mocked site addresses of the sandbox, each `STREET, CITY, ST POSTALCODE` (JSON list in the "
            "environment variable SANDBOX_ADDRESSES); the first is named as the known-good one."
        ),
    )
    business_timezone: str = Field(
        default="America/Chicago",
        description="Time zone whose calendar day decides whether a requested date is in the past.",
    )
    orders_max_page_size: int = Field(
        default=100, ge=1, le=100, description="Cap of `limit` on GET /api/v1/orders."
    )
