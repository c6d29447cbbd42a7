import pytest

from enrichment.domain.errors import BusinessRuleError, OrderNotOpenError
from enrichment.domain.order import Order
from enrichment.domain.status import StatusChange, status_for_confirmations
from enrichment.service_layer.fulfillment_outcomes import distributor_ids
from shared_contracts.events import FulfillmentOrderCreated


@pytest.mark.parametrize(
    ("confirmations", "status"),
    [
        (["C"], "CONFIRMED"),
        (["R"], "CONFIRMED"),
        (["C", "R", "C"], "CONFIRMED"),
        (["P"], "PARTIALLY_CONFIRMED"),
        (["C", "P"], "PARTIALLY_CONFIRMED"),
        (["C", "X"], "PARTIALLY_CONFIRMED"),
        (["R", "X"], "PARTIALLY_CONFIRMED"),
        (["X"], "BACKORDERED"),
        (["X", "X"], "BACKORDERED"),
        (["P", "X"], "PARTIALLY_CONFIRMED"),
    ],
)
def test_fulfillment_outcomes_map_to_an_order_status(confirmations, status):
    assert status_for_confirmations(confirmations) == status


def test_no_outcome_maps_to_nothing():
    with pytest.raises(ValueError, match="no fulfillment outcome"):
        status_for_confirmations([])


def order(status="DRAFT", sub_orders=("s1", "s2"), cdg_id=None) -> Order:
    return Order("o1", "sp", "sandbox", status, "Q-1", cdg_id, tuple(sub_orders))


def test_a_draft_order_is_open_and_submits_once():
    draft = order()
    draft.ensure_open()
    assert draft.submit() == StatusChange("DRAFT", "SUBMITTED", "Order submitted")
    with pytest.raises(OrderNotOpenError, match="SUBMITTED"):
        draft.submit()
    with pytest.raises(OrderNotOpenError):
        draft.ensure_open()


def test_fulfillment_moves_a_submitted_order_once_every_sub_order_has_an_outcome():
    submitted = order("SUBMITTED")
    assert submitted.record_fulfillment({"s1": "C"}) is None
    assert submitted.status == "SUBMITTED"
    change = submitted.record_fulfillment({"s1": "C", "s2": "R"})
    assert change == StatusChange("SUBMITTED", "CONFIRMED", "Fulfillment outcome: C, R")
    assert submitted.record_fulfillment({"s1": "C", "s2": "R"}) is None
    assert submitted.record_fulfillment({"s1": "C", "s2": "X"}) == StatusChange(
        "CONFIRMED", "PARTIALLY_CONFIRMED", "Fulfillment outcome: C, X"
    )


@pytest.mark.parametrize("status", ["DRAFT", "CANCELLED"])
def test_fulfillment_does_not_move_an_order_that_is_not_submitted(status):
    assert order(status).record_fulfillment({"s1": "C", "s2": "C"}) is None


def test_quote_must_be_the_orders():
    order().check_quote("Q-1")
    with pytest.raises(BusinessRuleError) as refused:
        order().check_quote("Q-2")
    assert refused.value.code == "QUOTE_MISMATCH"


def test_an_order_joins_one_group_only_while_open():
    draft = order()
    assert draft.join_cdg("g1") is True
    assert draft.join_cdg("g1") is False
    with pytest.raises(BusinessRuleError) as refused:
        draft.join_cdg("g2")
    assert refused.value.code == "ORDER_IN_OTHER_CDG"
    with pytest.raises(OrderNotOpenError):
        order("SUBMITTED").join_cdg("g1")


def test_fulfillment_orders_name_our_order_and_sub_order_by_convention_or_explicitly():
    order_id, sub_order_id = "5f0c7a52-5a8e-4a4e-9d0b-0f1f1d2c3b4a", "8d7e6c5b-4a39-4281-9c1d-2e3f4a5b6c7d"

    def event(**fields: object) -> FulfillmentOrderCreated:
        return FulfillmentOrderCreated.model_validate(
            {"confirmationType": "C", "fulfillLocation": 6000, "details": [], **fields}
        )

    by_convention = distributor_ids(event(customerOrderNo=order_id, fulfillOrderNo=sub_order_id))
    assert by_convention is not None
    assert tuple(map(str, by_convention)) == (order_id, sub_order_id)
    explicit = distributor_ids(
        event(customerOrderNo="OMS-1", fulfillOrderNo="FO-1", orderId=order_id, subOrderId=sub_order_id)
    )
    assert explicit is not None
    assert tuple(map(str, explicit)) == (order_id, sub_order_id)
    assert distributor_ids(event(customerOrderNo="OMS-1", fulfillOrderNo="FO-1")) is None
