import pytest

from enrichment.domain.errors import StepIncompleteError
from enrichment.domain.steps import SUBMIT_ORDER, Step, incomplete_step_message
from enrichment.domain.submit_gate import SubOrderProgress, ensure_submittable, first_missing_step

ALL = frozenset(SUBMIT_ORDER)


def progress(sub_order_id: str, *steps: Step) -> SubOrderProgress:
    return SubOrderProgress(sub_order_id, frozenset(steps))


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (Step.INSTALLATION, "Previous Step (Installation) is not complete."),
        (Step.SHIPPING, "Previous Step (Shipping) is not complete."),
        (Step.BILLING, "Previous Step (Billing) is not complete."),
        (Step.SERVICE_APPOINTMENT, "Previous Step (Service Appointment) is not complete."),
    ],
)
def test_messages_name_the_step_exactly(step, message):
    assert incomplete_step_message(step) == message


def test_steps_are_checked_installation_shipping_billing_service_appointment():
    assert SUBMIT_ORDER == (Step.INSTALLATION, Step.SHIPPING, Step.BILLING, Step.SERVICE_APPOINTMENT)
    done: list[Step] = []
    for step in SUBMIT_ORDER:
        missing = first_missing_step([progress("s1", *done)])
        assert missing is not None
        assert missing.step is step
        done.append(step)
    assert first_missing_step([progress("s1", *done)]) is None


def test_a_later_step_done_does_not_hide_an_earlier_missing_one():
    missing = first_missing_step([progress("s1", Step.SHIPPING, Step.BILLING, Step.SERVICE_APPOINTMENT)])
    assert missing is not None
    assert missing.message == "Previous Step (Installation) is not complete."


def test_the_earliest_step_missing_on_any_sub_order_is_reported_with_every_sub_order_missing_it():
    sub_orders = [
        SubOrderProgress("s1", ALL - {Step.BILLING}),
        SubOrderProgress("s2", ALL - {Step.SHIPPING}),
        SubOrderProgress("s3", ALL - {Step.SHIPPING}),
    ]
    missing = first_missing_step(sub_orders)
    assert missing is not None
    assert (missing.step, missing.sub_order_ids) == (Step.SHIPPING, ("s2", "s3"))


def test_ensure_submittable_raises_the_message_and_passes_complete_orders():
    ensure_submittable([SubOrderProgress("s1", ALL), SubOrderProgress("s2", ALL)])
    with pytest.raises(StepIncompleteError) as refused:
        ensure_submittable([SubOrderProgress("s1", ALL - {Step.SERVICE_APPOINTMENT})])
    assert str(refused.value) == "Previous Step (Service Appointment) is not complete."
    assert refused.value.sub_order_ids == ["s1"]
