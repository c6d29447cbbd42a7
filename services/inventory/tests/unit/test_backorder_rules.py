from decimal import Decimal

import pytest

from inventory.domain.backorders import below_zero_error, plan_backorder_changes
from inventory.domain.errors import BusinessRuleError
from inventory.domain.items import ItemType
from shared_contracts.merchandising import BackorderItem

from .builders import catalog, item, physical_warehouse, store, virtual_warehouse


def line(
    number: str, location: int, quantity: str, location_type: str = "S", **extra: object
) -> BackorderItem:
    return BackorderItem.model_validate(
        {
            "item": number,
            "locationType": location_type,
            "location": location,
            "backorderQuantity": Decimal(quantity),
            **extra,
        }
    )


CATALOG = catalog(
    [item("bulb", CS=12), item("bananas", ItemType.CATCHWEIGHT), item("old")],
    [
        store(1),
        physical_warehouse(10),
        virtual_warehouse(11, 10, 1, primary=True),
        virtual_warehouse(12, 10, 2),
    ],
    {("bulb", 1): "A", ("bulb", 11): "A", ("bulb", 12): "A", ("bananas", 1): "A", ("old", 1): "C"},
)


def test_every_line_resolves_to_a_stock_row_in_standard_units():
    changes = plan_backorder_changes(
        [
            line("bulb", 1, "2", uom="CS"),
            line("bulb", 10, "-1", "W", channelId=2),
            line("bulb", 10, "3", "W"),
        ],
        CATALOG,
    )
    assert [(c.index, c.location.location, c.adjustment) for c in changes] == [
        (0, 1, Decimal(24)),
        (1, 12, Decimal(-1)),
        (2, 11, Decimal(3)),
    ]


def test_every_broken_line_is_named():
    with pytest.raises(BusinessRuleError) as error:
        plan_backorder_changes(
            [line("bulb", 1, "1"), line("bananas", 1, "1"), line("old", 1, "1"), line("bulb", 2, "1")],
            CATALOG,
        )
    assert error.value.errors == [
        "items[1]: Item bananas is a catchweight item; catchweight items are not supported for backorders",
        "items[2]: Item old is discontinued at physical store 1",
        "items[3]: Location 2 does not exist",
    ]


def test_the_below_zero_message_says_what_is_held():
    (change,) = plan_backorder_changes([line("bulb", 1, "-5")], CATALOG)
    assert below_zero_error(change, Decimal("2.5000")) == (
        "items[0]: The backorder quantity of item bulb at physical store 1 cannot go below zero "
        "(it holds 2.5 EA; adjustment -5)"
    )
