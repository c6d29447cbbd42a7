"""The steps of a sub-order and the order in which submit checks them."""

from enum import StrEnum
from typing import Final


class Step(StrEnum):
    INSTALLATION = "INSTALLATION"
    SHIPPING = "SHIPPING"
    BILLING = "BILLING"
    SERVICE_APPOINTMENT = "SERVICE_APPOINTMENT"

    @property
    def label(self) -> str:
        """How messages name the step: `Service Appointment`."""
        return self.value.replace("_", " ").title()


SUBMIT_ORDER: Final = (Step.INSTALLATION, Step.SHIPPING, Step.BILLING, Step.SERVICE_APPOINTMENT)
"""The order in which submit checks the steps."""

ENRICHMENT_STEPS: Final = (Step.INSTALLATION, Step.SHIPPING, Step.BILLING)
"""Steps completed by enriching the sub-order here (the appointment is the appointment service's)."""


def incomplete_step_message(step: Step) -> str:
    return f"Previous Step ({step.label}) is not complete."
