from decimal import Decimal

import pytest

from inventory.domain.errors import BusinessRuleError
from inventory.domain.holds import LineStatus
from inventory.domain.items import ItemType
from inventory.domain.substitutions import plan_substitutions
from shared_contracts.merchandising import SubstitutionItem

from .builders import catalog, item, line, store

CATALOG = catalog(
    [item("apple"), item("gala"), item("fuji"), item("salmon", ItemType.TRANSFORMABLE)],
    [store(1)],
    {("apple", 1): "A", ("gala", 1): "A", ("fuji", 1): "I", ("salmon", 1): "A"},
)


def request(quantity: int, *subs: tuple[str, int], line_no: int | None = 1) -> SubstitutionItem:
    details = [
        {"substituteItem": s, "substituteItemQuantity": q, "substituteItemQuantityUom": "EA"} for s, q in subs
    ]
    entry = {"customerOrderNo": "co", "fulfillOrderNo": "fo", "location": 1, "item": "apple"}
    return SubstitutionItem.model_validate(
        {**entry, "quantity": quantity, "uom": "EA", "itemLineNo": line_no, "details": details}
    )


def test_the_original_shrinks_and_the_substitute_gets_the_difference_it_lacks():
    original = line(1, "apple", 5)
    existing = line(2, "gala", 1, substitute_for_line_id=1, item_line_no=1)

    (plan,) = plan_substitutions([request(2, ("gala", 3))], CATALOG, {("co", "fo"): [original, existing]})

    assert (plan.revised_quantity, plan.cancelled_quantity) == (Decimal(2), Decimal(3))
    assert [(s.item.item, s.quantity, s.delta) for s in plan.substitutes] == [
        ("gala", Decimal(3), Decimal(2))
    ]
    assert plan.changes_anything


def test_the_same_substitution_again_changes_nothing():
    original = line(1, "apple", 2)
    existing = line(2, "gala", 3, substitute_for_line_id=1, item_line_no=1)
    (plan,) = plan_substitutions([request(2, ("gala", 3))], CATALOG, {("co", "fo"): [original, existing]})
    assert not plan.changes_anything


def test_broken_rules_are_collected():
    lines = {("co", "fo"): [line(1, "apple", 5), line(2, "apple", 1, LineStatus.HELD, item_line_no=2)]}

    with pytest.raises(BusinessRuleError) as error:
        plan_substitutions(
            [
                request(1, ("salmon", 1), ("fuji", 1)),
                request(1, ("gala", 1), line_no=None),
                request(9, ("gala", 1)),
            ],
            CATALOG,
            lines,
        )

    assert error.value.errors == [
        "items[0]: details[0]: Item salmon is a transformable item; transformable items are not supported "
        "for customer order item substitution; details[1]: Item fuji is inactive at physical store 1",
        "items[1]: Item apple is reserved on several lines of fulfillment order fo; give itemLineNo",
        "items[2]: The revised quantity 9 of item apple is more than its reserved quantity 5",
    ]
