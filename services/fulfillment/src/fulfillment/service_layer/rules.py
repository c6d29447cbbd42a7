"""The configuration the use cases follow (built from the settings)."""

from dataclasses import dataclass

from fulfillment.config import Settings
from fulfillment.domain.saga import SagaRules


@dataclass(frozen=True)
class Rules:
    oms_enabled: bool
    persist_customer_data: bool
    hold_seconds: int
    system_code: str
    channel_id: int | None
    saga: SagaRules
    backorder_shortages: bool
    die_after_hold: bool = False
    """Tests only (`TEST_FAULT_AFTER_HOLD`): the process is killed between the hold and the commit."""


def rules_from(settings: Settings) -> Rules:
    return Rules(
        oms_enabled=settings.oms_ind == "Y",
        persist_customer_data=settings.persist_customer_data_ind == "Y",
        hold_seconds=settings.hold_seconds,
        system_code=settings.system_code,
        channel_id=settings.saga_channel_id,
        saga=SagaRules(
            source_location_type=settings.saga_source_location_type or None,
            source_location=settings.saga_source_location,
            fulfill_location=settings.saga_fulfill_location,
            fulfill_location_type=settings.saga_fulfill_location_type,
            partial_delivery_ind=settings.saga_partial_delivery_ind,
            delivery_lead_days=settings.saga_delivery_lead_days,
        ),
        backorder_shortages=settings.saga_backorder_shortages,
        die_after_hold=settings.test_fault_after_hold,
    )
