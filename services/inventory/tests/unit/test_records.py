from decimal import Decimal

import pytest

from inventory.domain.records import RecordError, kind_named, typed_records


def rows(kind: str, *raws: dict[str, object]) -> list[tuple[object, ...]]:
    return list(typed_records(kind_named(kind), raws, "file.csv"))


def test_csv_text_and_json_values_are_typed_with_defaults():
    assert rows("items", {"item": "1", "sellable": "N"}, {"item": 2, "itemType": "PACK"}) == [
        ("1", "", "REGULAR", "EA", False, True),
        ("2", "", "PACK", "EA", True, True),
    ]
    assert rows("stock", {"item": "1", "location": "6000", "stockOnHand": "1.5"}) == [
        ("1", 6000, None, Decimal("1.5"), None, None, None, None, None)
    ]


def test_a_physical_warehouse_holds_no_stock_by_default():
    (physical, store) = rows(
        "locations", {"location": 10, "locationType": "W"}, {"location": 1, "locationType": "S"}
    )
    names = kind_named("locations").column_names()
    assert dict(zip(names, physical, strict=True))["stockholding"] is False
    assert dict(zip(names, store, strict=True))["stockholding"] is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"item": "1", "location": 1, "stockOnHand": "-1"}, "field stockOnHand must not be negative"),
        ({"item": "1", "location": 1, "stockOnHand": "1.00001"}, "must have at most 4 decimal places"),
        ({"item": "1", "location": "x"}, "field location must be a whole number"),
        ({"item": "1"}, "field location is required"),
        ({"item": "1", "location": 1, "colour": "red"}, "unknown field(s) colour"),
        ({"item": "x" * 26, "location": 1}, "field item must be at most 25 characters"),
    ],
)
def test_bad_records_name_the_source_record_and_field(raw, message):
    with pytest.raises(RecordError, match=r"^file\.csv: stock record 1: ") as error:
        rows("stock", raw)
    assert message in str(error.value)


def test_unknown_kinds_are_named():
    with pytest.raises(RecordError, match="unknown kind of record 'widgets'"):
        kind_named("widgets")
