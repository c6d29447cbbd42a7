import re

import pytest

from enrichment.domain.billing import check_billed_items, new_invoice_number
from enrichment.domain.errors import BusinessRuleError, InvalidFieldsError


def test_billed_items_must_be_the_sub_orders():
    check_billed_items("s1", ["i1", "i2"], ["i2"])
    with pytest.raises(BusinessRuleError) as refused:
        check_billed_items("s1", ["i1"], ["i1", "i9"])
    assert refused.value.code == "UNKNOWN_ORDER_ITEM"
    assert "i9" in refused.value.message


def test_an_item_is_billed_once():
    with pytest.raises(InvalidFieldsError) as refused:
        check_billed_items("s1", ["i1"], ["i1", "i1"])
    assert [problem.field for problem in refused.value.problems] == ["orderedItems[1].orderItemId"]


def test_invoice_numbers_are_new_each_time():
    first, second = new_invoice_number(), new_invoice_number()
    assert re.fullmatch(r"INV-[0-9A-F]{12}", first)
    assert first != second
