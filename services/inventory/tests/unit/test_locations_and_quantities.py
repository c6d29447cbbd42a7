from decimal import Decimal

import pytest

from inventory.domain.locations import LocationResolutionError, stock_location
from inventory.domain.quantities import UnknownUnitOfMeasureError, to_standard_uom

from .builders import item, physical_warehouse, store, virtual_warehouse

DC = physical_warehouse(10)
ECOM = virtual_warehouse(11, 10, 1, primary=True)
MARKET = virtual_warehouse(12, 10, 2)
CLOSED = virtual_warehouse(13, 10, 2, orderable=False)
VIRTUAL = {10: [ECOM, MARKET, CLOSED]}


def test_a_store_is_itself_whatever_the_channel():
    assert stock_location(store(1), "S", 7, VIRTUAL) == store(1)


def test_a_physical_warehouse_is_its_orderable_warehouse_of_the_channel_or_its_primary_one():
    assert stock_location(DC, "W", 2, VIRTUAL) == MARKET
    assert stock_location(DC, "W", None, VIRTUAL) == ECOM
    assert stock_location(ECOM, "W", None, VIRTUAL) == ECOM


@pytest.mark.parametrize(
    ("location", "location_type", "channel", "message"),
    [
        (
            store(1, stockholding=False, franchise=True),
            "S",
            None,
            "is a physical franchise non-stockholding store",
        ),
        (store(1), "W", None, "Location 1 is not a warehouse"),
        (DC, "S", None, "Location 10 is not a store"),
        (DC, "W", 9, "has no virtual warehouse of channel 9"),
        (ECOM, "W", 2, "is of channel 1, not 2"),
    ],
)
def test_locations_that_hold_no_stock_for_the_request(location, location_type, channel, message):
    with pytest.raises(LocationResolutionError, match=message):
        stock_location(location, location_type, channel, VIRTUAL)


def test_quantities_convert_to_the_standard_unit_and_round_to_four_places():
    bulb = item("bulb", CS=12)
    assert to_standard_uom(bulb, Decimal("1.5"), "CS") == Decimal(18)
    assert to_standard_uom(bulb, Decimal("2.00005"), None) == Decimal("2.0001")
    with pytest.raises(UnknownUnitOfMeasureError, match="no conversion from PL to its standard unit"):
        to_standard_uom(bulb, Decimal(1), "PL")
