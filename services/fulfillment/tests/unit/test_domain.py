"""The pure rules: validation, sourcing, confirmation types, cancellation, saga mapping."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fulfillment.adapters.inventory_client import InventoryUnavailableError
from fulfillment.domain.cancellation import CancelRequest, plan_cancellation
from fulfillment.domain.foundation import Foundation, ItemInfo, LocationInfo
from fulfillment.domain.holds import backorder_place, shortages
from fulfillment.domain.lines import Line, all_or_nothing, confirmation_type, partial_allowed
from fulfillment.domain.saga import SagaRules, fulfillment_order_for
from fulfillment.domain.sourcing import Kind, sourcing_of
from fulfillment.domain.validation import foundation_query, validate_orders
from shared_contracts.events.orders import SubmittedSubOrder
from shared_contracts.merchandising import FulfillmentOrder

STORE = LocationInfo(1, "S", False, True, False, True)
FRANCHISE = LocationInfo(2, "S", False, False, True, False)
DC = LocationInfo(10, "W", False, True, False, False)
VW1 = LocationInfo(11, "W", True, True, False, True, physical_warehouse=10, channel_id=1)
VW2 = LocationInfo(
    12, "W", True, True, False, True, physical_warehouse=10, channel_id=2, primary_virtual=True
)
FOUNDATION = Foundation(
    items={
        "A": ItemInfo("A", "REGULAR", "EA", True, True, True),
        "CW": ItemInfo("CW", "CATCHWEIGHT", "KG", True, True, False),
    },
    locations={loc.location: loc for loc in (STORE, FRANCHISE, DC, VW1, VW2)},
    statuses={("A", 1): "C"},
    suppliers=frozenset({2400}),
    supplied=frozenset({(2400, "A")}),
)


def order(**fields: Any) -> FulfillmentOrder:
    body = {
        "customerOrderNo": "1",
        "fulfillOrderNo": "1",
        "fulfillLocation": 1,
        "partialDeliveryInd": "N",
        "consumerDeliveryDate": "2030-01-01",
        "details": [{"item": "A", "orderQuantitySuom": 2, "substituteInd": "N", "itemLineNo": 1}],
    }
    return FulfillmentOrder.model_validate(body | fields)


def test_sourcing_prefers_the_channel_then_the_primary_virtual_warehouse() -> None:
    assert sourcing_of("WH", 10, 1, FOUNDATION, 1).hold_location == 11  # type: ignore[union-attr]
    assert sourcing_of("WH", 10, 1, FOUNDATION, None).hold_location == 12  # type: ignore[union-attr]
    assert sourcing_of("SU", 2400, 1, FOUNDATION, 1).kind is Kind.PURCHASE_ORDER  # type: ignore[union-attr]
    assert sourcing_of(None, None, 1, FOUNDATION, 1).hold_location == 1  # type: ignore[union-attr]


def test_validation_names_every_problem_with_its_field() -> None:
    bad = order(
        fulfillLocation=2,
        details=[
            {"item": "CW", "orderQuantitySuom": 0, "substituteInd": "N"},
            {"item": "Z", "orderQuantitySuom": 1, "substituteInd": "N"},
        ],
    )
    fields = {problem.field for problem in validate_orders([order(), bad], FOUNDATION, 1)}
    assert "items[0].details[0].item" in fields  # discontinued at the fulfilling store
    assert {"items[1].fulfillLocation", "items[1].fulfillOrderNo", "items[1].details[0].item"} <= fields
    assert {"items[1].details[0].orderQuantitySuom", "items[1].details[1].item"} <= fields


def test_the_lookup_is_one_query_for_the_whole_collection() -> None:
    query = foundation_query([order(sourceLocationType="SU", sourceLocation=2400), order(fulfillOrderNo="2")])
    assert query.items == ("A",)
    assert query.supplier_items == ((2400, "A"),)


def test_confirmation_types() -> None:
    full = Line("A", 1, Decimal(2), Decimal(2), "EA")
    half = Line("B", 2, Decimal(2), Decimal(1), "EA")
    none = Line("C", 3, Decimal(2), Decimal(0), "EA")
    assert confirmation_type(Kind.TRANSFER, [full]) == "C"
    assert confirmation_type(Kind.RESERVATION, [full]) == "R"
    assert confirmation_type(Kind.TRANSFER, [full, half]) == "P"
    assert confirmation_type(Kind.TRANSFER, [none]) == "X"
    assert [line.confirmed for line in all_or_nothing([full, half])] == [0, 0]
    assert partial_allowed("N")
    assert not partial_allowed("Y")


def test_cancelling_more_than_is_open_is_refused() -> None:
    lines = [Line("A", 1, Decimal(5), Decimal(5), "EA", cancelled=Decimal(2))]
    planned, errors = plan_cancellation(lines, [CancelRequest("A", 1, Decimal(3))], "items[0]")
    assert (len(planned), errors) == (1, [])
    _, errors = plan_cancellation(lines, [CancelRequest("A", None, Decimal(4))], "items[0]")
    assert "only 3 is open" in errors[0]


def test_shortages_are_backordered_at_the_source() -> None:
    place = backorder_place(Kind.TRANSFER, "WH", 10, 1, 1)
    assert shortages([Line("A", 1, Decimal(5), Decimal(3), "EA")], place)[0].quantity == 2
    assert backorder_place(Kind.PURCHASE_ORDER, "SU", 2400, 1, 1) is None


def test_a_sub_order_becomes_a_fulfillment_order_due_before_the_appointment() -> None:
    sub_order = SubmittedSubOrder.model_validate(
        {
            "subOrderId": "s-1",
            "items": [{"orderItemId": "i", "item": "A", "quantity": 2}],
            "shippingAddress": {"street": "x", "city": "y", "state": "TX", "zip": "1"},
            "appointment": {
                "startDate": datetime(2030, 5, 10, 8, tzinfo=UTC),
                "endDate": datetime(2030, 5, 10, 12, tzinfo=UTC),
            },
        }
    )
    made = fulfillment_order_for("o-1", sub_order, SagaRules("WH", 10, 6100, "V", "N", 2))
    assert (made.customer_order_no, made.fulfill_order_no) == ("o-1", "s-1")
    assert str(made.consumer_delivery_date) == "2030-05-08"
    assert made.details[0].item_line_no == 1


def test_inventory_down_is_a_transient_error_for_the_consumers() -> None:
    assert issubclass(InventoryUnavailableError, OSError)
