"""fulfillment settings: the shared ones plus this service's own (environment variables, upper case).

| variable | default | meaning |
|---|---|---|
| `HTTP_PORT` | 8084 | listening port |
| `INVENTORY_URL` | http://127.0.0.1:8083 | the inventory service's internal API |
| `INVENTORY_TIMEOUT_SECONDS` | 5 | one inventory call (connect: `INVENTORY_CONNECT_TIMEOUT_SECONDS`, 2) |
| `HOLD_SECONDS` | 60 | expiry of the inventory holds taken before a fulfillment order commits |
| `OMS_IND` | Y | N: the OMS does not send customer orders; create and cancel are refused |
| `PERSIST_CUSTOMER_DATA_IND` | Y | N: no personal customer data is stored (nor sent in events) |
| `SYSTEM_CODE` | INV | `systemCode` of the confirmations |
| `SAGA_SOURCE_LOCATION_TYPE` | WH | distributor orders' source: WH, ST, SU or empty (reserve at the store) |
| `SAGA_SOURCE_LOCATION` | 10 | the warehouse, store or supplier sourcing distributor orders |
| `SAGA_CHANNEL_ID` | 1 | channel whose virtual warehouse ships for a physical warehouse |
| `SAGA_FULFILL_LOCATION` | 6100 | the store fulfilling distributor orders |
| `SAGA_FULFILL_LOCATION_TYPE` | V | S (physical) or V (virtual) store |
| `SAGA_PARTIAL_DELIVERY_IND` | N | the specification's meaning: N may ship partially, Y only complete |
| `SAGA_DELIVERY_LEAD_DAYS` | 2 | delivery date = appointment start date minus this many days |
| `SAGA_BACKORDER_SHORTAGES` | true | a shortage of a distributor order becomes an inventory backorder |
| `SERVICE_NAME` | fulfillment | also the schema and the consumer group (an isolated second instance) |
| `CONSUMER_MAX_IN_FLIGHT` | 6 | messages of one topic handled at once (one per partition) |
| `TEST_FAULT_AFTER_HOLD` | false | tests only: SIGKILL itself after an inventory hold, before the commit |
"""

from typing import Literal

from pydantic import Field

from shared_runtime import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "fulfillment"
    http_port: int = 8084

    inventory_url: str = Field(default="http://127.0.0.1:8083", description="The inventory service.")
    inventory_timeout_seconds: float = Field(default=5.0, gt=0)
    inventory_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    hold_seconds: int = Field(default=60, ge=1, description="Expiry of holds not yet committed.")

    oms_ind: Literal["Y", "N"] = Field(default="Y", description="Y: the OMS sends customer orders.")
    persist_customer_data_ind: Literal["Y", "N"] = Field(
        default="Y", description="N: no personal customer data is stored."
    )
    system_code: str = Field(default="INV", max_length=10)

    saga_source_location_type: Literal["WH", "ST", "SU", ""] = "WH"
    saga_source_location: int | None = 10
    saga_channel_id: int | None = 1
    saga_fulfill_location: int = 6100
    saga_fulfill_location_type: Literal["S", "V"] = "V"
    saga_partial_delivery_ind: Literal["Y", "N"] = "N"
    saga_delivery_lead_days: int = Field(default=2, ge=1)
    saga_backorder_shortages: bool = True

    # A saga handler spends most of its time waiting for inventory; with the shared default (4)
    # two of the six partitions wait behind the others at 20 journeys/s.
    consumer_max_in_flight: int = Field(default=6, ge=1)
    test_fault_after_hold: bool = Field(
        default=False, description="Tests only: SIGKILL the process between the hold and the commit."
    )
