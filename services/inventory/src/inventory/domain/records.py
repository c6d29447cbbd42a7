"""Foundation data records as files carry them (CSV rows or JSON objects), checked and typed.

Each kind has camelCase fields (CSV headers and JSON keys alike). A record of `items`,
`packComponents`, `uomConversions`, `locations`, `suppliers`, `supplierItems` replaces the
stored one (absent fields take their defaults); a `stock` record changes only the buckets it
gives; a `reservations` record creates a confirmed reservation line once (by fulfillment order,
item and itemLineNo), reserving its quantity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from inventory.domain.items import ItemStatus, ItemType
from inventory.domain.quantities import MAX_QUANTITY, quantize


class RecordError(ValueError):
    """A record that cannot be loaded; the message names the field."""


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()
KEEP: Final = None
"""Default of a stock bucket: keep the stored value (zero for a new row)."""

Converter = Callable[[Any], Any]


def text(max_length: int, *, allow_empty: bool = False) -> Converter:
    def convert(value: Any) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise RecordError("must be text")
        result = str(value).strip()
        if not result and not allow_empty:
            raise RecordError("must not be empty")
        if len(result) > max_length:
            raise RecordError(f"must be at most {max_length} characters")
        return result

    return convert


def integer(low: int, high: int) -> Converter:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise RecordError("must be a whole number")
        try:
            result = int(value) if isinstance(value, int) else int(str(value).strip())
        except ValueError:
            raise RecordError("must be a whole number") from None
        if not low <= result <= high:
            raise RecordError(f"must be between {low} and {high}")
        return result

    return convert


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise RecordError("must be true or false (or Y/N, 1/0)")


def quantity(*, positive: bool = False) -> Converter:
    def convert(value: Any) -> Decimal:
        if isinstance(value, bool):
            raise RecordError("must be a number")
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise RecordError("must be a number") from None
        if not result.is_finite():
            raise RecordError("must be a number")
        if result != quantize(result):
            raise RecordError("must have at most 4 decimal places")
        if result < 0 or (positive and result == 0):
            raise RecordError("must be more than zero" if positive else "must not be negative")
        if result > MAX_QUANTITY:
            raise RecordError(f"must be at most {MAX_QUANTITY}")
        return quantize(result)

    return convert


def choice(*allowed: str) -> Converter:
    def convert(value: Any) -> str:
        result = str(value).strip()
        if result not in allowed:
            raise RecordError(f"must be one of {', '.join(allowed)}")
        return result

    return convert


LOCATION_NUMBER: Final = integer(1, 9_999_999_999)
ITEM_NUMBER: Final = text(25)
UOM: Final = text(4)


@dataclass(frozen=True)
class Column:
    field: str
    """camelCase, as in files."""
    column: str
    """snake_case, as in the table."""
    convert: Converter
    default: Any = REQUIRED


@dataclass(frozen=True)
class Kind:
    name: str
    """camelCase, as in JSON documents; CSV files may use it or the snake_case table name."""
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    def column_names(self) -> tuple[str, ...]:
        return tuple(column.column for column in self.columns)

    def record(self, raw: Mapping[str, Any]) -> tuple[Any, ...]:
        """The typed row of `raw` (a CSV row or JSON object), in `column_names()` order."""
        fields = {column.field for column in self.columns}
        unknown = sorted(name for name in raw if name not in fields)
        if unknown:
            raise RecordError(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(fields))})")
        values = []
        for column in self.columns:
            value = raw.get(column.field)
            if value is None or (isinstance(value, str) and value.strip() == ""):
                if column.default is REQUIRED:
                    raise RecordError(f"field {column.field} is required")
                values.append(column.default)
                continue
            try:
                values.append(column.convert(value))
            except RecordError as error:
                raise RecordError(f"field {column.field} {error}") from None
        return tuple(values)


def _bucket(field: str, column: str) -> Column:
    return Column(field, column, quantity(), KEEP)


KINDS: Final[tuple[Kind, ...]] = (
    Kind(
        "items",
        "items",
        (
            Column("item", "item", ITEM_NUMBER),
            Column("description", "description", text(250, allow_empty=True), ""),
            Column("itemType", "item_type", choice(*ItemType), ItemType.REGULAR.value),
            Column("standardUom", "standard_uom", UOM, "EA"),
            Column("sellable", "sellable", boolean, True),
            Column("customerOrderable", "customer_orderable", boolean, True),
        ),
        ("item",),
    ),
    Kind(
        "packComponents",
        "pack_components",
        (
            Column("packItem", "pack_item", ITEM_NUMBER),
            Column("componentItem", "component_item", ITEM_NUMBER),
            Column("quantity", "quantity", quantity(positive=True)),
        ),
        ("pack_item", "component_item"),
    ),
    Kind(
        "uomConversions",
        "uom_conversions",
        (
            Column("item", "item", ITEM_NUMBER),
            Column("uom", "uom", UOM),
            Column("factor", "factor", quantity(positive=True)),
        ),
        ("item", "uom"),
    ),
    Kind(
        "locations",
        "locations",
        (
            Column("location", "location", LOCATION_NUMBER),
            Column("locationType", "location_type", choice("S", "W")),
            Column("name", "name", text(120, allow_empty=True), ""),
            Column("virtual", "virtual", boolean, False),
            Column("stockholding", "stockholding", boolean, None),
            Column("franchise", "franchise", boolean, False),
            Column("customerOrderLocation", "customer_order_location", boolean, False),
            Column("physicalWarehouse", "physical_warehouse", LOCATION_NUMBER, None),
            Column("channelId", "channel_id", integer(-9_999, 9_999), None),
            Column("primaryVirtual", "primary_virtual", boolean, False),
        ),
        ("location",),
    ),
    Kind(
        "suppliers",
        "suppliers",
        (
            Column("supplier", "supplier", LOCATION_NUMBER),
            Column("name", "name", text(240, allow_empty=True), ""),
        ),
        ("supplier",),
    ),
    Kind(
        "supplierItems",
        "supplier_items",
        (
            Column("supplier", "supplier", LOCATION_NUMBER),
            Column("item", "item", ITEM_NUMBER),
            Column("primarySupplier", "primary_supplier", boolean, False),
        ),
        ("supplier", "item"),
    ),
    Kind(
        "stock",
        "stock",
        (
            Column("item", "item", ITEM_NUMBER),
            Column("location", "location", LOCATION_NUMBER),
            Column("status", "status", choice(*ItemStatus), None),
            _bucket("stockOnHand", "stock_on_hand"),
            _bucket("transferReserved", "transfer_reserved"),
            _bucket("customerReserved", "customer_reserved"),
            _bucket("rtv", "rtv"),
            _bucket("nonSellable", "non_sellable"),
            _bucket("backorder", "backorder"),
        ),
        ("item", "location"),
    ),
    Kind(
        "reservations",
        "reservation_lines",
        (
            Column("customerOrderNo", "customer_order_no", text(48)),
            Column("fulfillOrderNo", "fulfill_order_no", text(48)),
            Column("item", "item", ITEM_NUMBER),
            Column("location", "location", LOCATION_NUMBER),
            Column("itemLineNo", "item_line_no", integer(-9_999_999_999, 9_999_999_999), None),
            Column("quantity", "quantity", quantity(positive=True)),
        ),
        ("customer_order_no", "fulfill_order_no", "item", "item_line_no"),
    ),
)
"""In load order: every kind after the kinds it refers to."""

KIND_BY_NAME: Final[dict[str, Kind]] = {
    **{kind.name: kind for kind in KINDS},
    **{kind.table: kind for kind in KINDS if kind.name != "reservations"},
}


def kind_named(name: str) -> Kind:
    kind = KIND_BY_NAME.get(name)
    if kind is None:
        known = ", ".join(kind.name for kind in KINDS)
        raise RecordError(f"unknown kind of record {name!r} (known: {known})")
    return kind


def location_defaults(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A location's stockholding default: a physical warehouse holds none, everything else does."""
    names = kind_named("locations").column_names()
    values = dict(zip(names, row, strict=True))
    if values["stockholding"] is None:
        values["stockholding"] = not (values["location_type"] == "W" and values["physical_warehouse"] is None)
    return tuple(values[name] for name in names)


def typed_records(kind: Kind, raws: Iterable[Mapping[str, Any]], source: str) -> Iterator[tuple[Any, ...]]:
    """Typed rows of `raws`; a `RecordError` names the source and record number of the first bad one."""
    for number, raw in enumerate(raws, start=1):
        try:
            row = kind.record(raw)
        except RecordError as error:
            raise RecordError(f"{source}: {kind.name} record {number}: {error}") from None
        yield location_defaults(row) if kind.name == "locations" else row
