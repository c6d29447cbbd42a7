"""inventory settings: the shared ones plus this service's own (environment variables, upper case).

| variable | default | meaning |
|---|---|---|
| `HTTP_PORT` | 8083 | listening port |
| `BATCH_WINDOW` | empty | nightly batch windows in UTC, `HH:MM-HH:MM[,HH:MM-HH:MM]` (may wrap midnight) |
| `BATCH_WINDOW_POLL_SECONDS` | 1 | how often each replica re-reads the window to pause/resume its consumers |
| `HOLD_SECONDS_DEFAULT` | 120 | expiry of a reservation hold when the request names none |
| `HOLD_SECONDS_MAX` | 3600 | longest hold a request may ask for |
| `HOLD_SWEEP_INTERVAL_SECONDS` | 1 | how often the sweeper looks for expired holds |
| `HOLD_SWEEP_BATCH_SIZE` | 500 | expired hold lines released per sweeper transaction |
| `AVAILABILITY_MAX_PAIRS` | 10000 | items x locations accepted in one availability lookup |
| `RESERVATION_MAX_LINES` | 500 | lines accepted in one reservation request |
| `LOAD_DEMO_DATA` | false | load the demo foundation data on start (idempotent) |
"""

from pydantic import Field, field_validator

from inventory.domain.batch_window import parse_schedule
from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "inventory"
    http_port: int = 8083

    batch_window: str = Field(
        default="",
        description="Nightly batch windows in UTC, e.g. `01:00-02:00` or `23:30-00:30,12:00-12:15`.",
    )
    batch_window_poll_seconds: float = Field(default=1.0, gt=0)

    hold_seconds_default: int = Field(default=120, ge=1)
    hold_seconds_max: int = Field(default=3600, ge=1)
    hold_sweep_interval_seconds: float = Field(default=1.0, gt=0)
    hold_sweep_batch_size: int = Field(default=500, ge=1)

    availability_max_pairs: int = Field(default=10_000, ge=1)
    reservation_max_lines: int = Field(default=500, ge=1)

    load_demo_data: bool = False

    @field_validator("batch_window")
    @classmethod
    def _valid_schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value
