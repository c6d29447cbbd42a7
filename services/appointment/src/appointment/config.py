"""appointment settings: the shared ones plus this service's own (environment variables, upper case).

Lists and objects are JSON in the environment, e.g.
`APPOINTMENT_WINDOWS='["08:00-12:00", "12:00-16:00"]'`, `APPOINTMENT_HOLIDAYS='["2030-12-25"]'`,
`TERRITORIES='[{"id": "DFW", "name": "Dallas-Fort Worth", "state": "TX", "postalPrefixes": ["750"]}]'`.
"""

from datetime import date
from typing import Final

from pydantic import Field

from shared_contracts.model import StrictCamelModel
from shared_contracts.sandbox import DEFAULT_MOCKED_ADDRESSES
from shared_runtime import ServiceSettings

DEMO_PRODUCTION_ADDRESSES: Final = (
    "3400 W PLANO PKWY, PLANO, TX 75075",
    "901 BAGBY ST, HOUSTON, TX 77002",
    "1100 CONGRESS AVE, AUSTIN, TX 78701",
    "233 S WACKER DR, CHICAGO, IL 60606",
)
"""Sites the demo's production orders use; the default territories cover each of them."""


class TerritorySetting(StrictCamelModel):
    """One service territory: a state, optionally narrowed to ZIP prefixes (longest prefix wins)."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field(min_length=1, max_length=120)
    state: str = Field(min_length=2, max_length=30)
    postal_prefixes: list[str] = Field(default_factory=list, description="Empty: the whole state.")


DEFAULT_TERRITORIES: Final = (
    TerritorySetting(
        id="TX-DFW",
        name="Dallas-Fort Worth",
        state="TX",
        postal_prefixes=["750", "751", "752", "753", "760", "761", "762"],
    ),
    TerritorySetting(
        id="TX-HOU", name="Houston", state="TX", postal_prefixes=["770", "772", "773", "774", "775"]
    ),
    TerritorySetting(id="TX-AUS", name="Austin", state="TX", postal_prefixes=["786", "787"]),
    TerritorySetting(id="IL-CHI", name="Chicago", state="IL", postal_prefixes=["606", "607", "608"]),
)


class Settings(ServiceSettings):
    service_name: str = "appointment"
    http_port: int = 8082

    enrichment_url: str = Field(
        default="http://127.0.0.1:8081",
        description="Base URL of enrichment's internal API (read-model fallback for sub-orders).",
    )
    enrichment_timeout_seconds: float = Field(default=3.0, gt=0)
    sandbox_addresses: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MOCKED_ADDRESSES),
        min_length=1,
        description=(
            "Mocked site addresses of the sandbox, each `STREET, CITY, ST POSTALCODE` (the same list as "
            "enrichment's); the first is named as the known-good one."
        ),
    )
    territories: list[TerritorySetting] = Field(
        default_factory=lambda: list(DEFAULT_TERRITORIES), min_length=1
    )
    appointment_windows: list[str] = Field(
        default_factory=lambda: ["08:00-12:00", "12:00-16:00"],
        min_length=1,
        description="Daily windows `HH:MM-HH:MM`, site wall-clock time, not overlapping.",
    )
    appointment_holidays: list[date] = Field(
        default_factory=list, description="Days without appointments, besides Saturdays and Sundays."
    )
    business_timezone: str = Field(
        default="America/Chicago", description="Whose clock decides which windows have already started."
    )
    slot_capacity: int = Field(
        default=10, ge=0, description="Capacity of each window created by the reference data load."
    )
    load_demo_reference_data: bool = Field(
        default=True,
        description="On start, create the configured territories and their windows for the next days.",
    )
    reference_data_days: int = Field(default=90, ge=1, le=730, description="Working days loaded on start.")
