"""The create request's rules: the specification's fields and the foundation data they name.

Every problem of the whole collection is reported at once (all-or-nothing). Shortages, items not
ranged or inactive at the source, and items a supplier does not supply are not validation errors:
they make the order `X` or `P` (the specification's "No Inventory" case).
"""

from collections.abc import Sequence
from decimal import Decimal

from fulfillment.domain.errors import Problem
from fulfillment.domain.foundation import DISCONTINUED, Foundation, FoundationQuery, unique
from fulfillment.domain.sourcing import sourcing_of
from shared_contracts.merchandising import FulfillmentOrder, FulfillmentOrderDetail


def foundation_query(orders: Sequence[FulfillmentOrder]) -> FoundationQuery:
    """Everything the rules read, for one lookup call whatever the size of the collection."""
    locations: list[int] = []
    item_locations: list[tuple[str, int]] = []
    supplier_items: list[tuple[int, str]] = []
    for order in orders:
        locations.append(order.fulfill_location)
        if order.order_placed_store is not None:
            locations.append(order.order_placed_store)
        source = order.source_location
        for detail in order.details:
            item_locations.append((detail.item, order.fulfill_location))
            if source is not None and order.source_location_type in ("ST", "WH"):
                item_locations.append((detail.item, source))
            if source is not None and order.source_location_type == "SU":
                supplier_items.append((source, detail.item))
        if source is not None and order.source_location_type in ("ST", "WH"):
            locations.append(source)
    return FoundationQuery(
        items=unique(detail.item for order in orders for detail in order.details),
        locations=unique(locations),
        item_locations=unique(item_locations),
        supplier_items=unique(supplier_items),
        at_virtual_warehouses=any(order.source_location_type == "WH" for order in orders),
    )


def _header_problems(index: int, order: FulfillmentOrder, foundation: Foundation) -> list[Problem]:
    at = f"items[{index}]"
    problems: list[Problem] = []
    for name, value in (
        ("customerOrderNo", order.customer_order_no),
        ("fulfillOrderNo", order.fulfill_order_no),
    ):
        if not value.strip():
            problems.append(Problem(f"{at}.{name}", "must not be empty", value))
    if not order.details:
        problems.append(Problem(f"{at}.details", "must have at least one entry", []))
    if (order.source_location_type is None) != (order.source_location is None):
        problems.append(
            Problem(
                f"{at}.sourceLocation",
                "sourceLocationType and sourceLocation must be given together",
                order.source_location,
            )
        )
    problems += _fulfill_location_problems(at, order, foundation)
    problems += _source_problems(at, order, foundation)
    if order.order_placed_store is not None:
        placed = foundation.locations.get(order.order_placed_store)
        if placed is None or not placed.is_store:
            problems.append(
                Problem(f"{at}.orderPlacedStore", "is not a known store", order.order_placed_store)
            )
    return problems


def _fulfill_location_problems(at: str, order: FulfillmentOrder, foundation: Foundation) -> list[Problem]:
    field, value = f"{at}.fulfillLocation", order.fulfill_location
    location = foundation.locations.get(value)
    if location is None:
        return [Problem(field, "is not a known location", value)]
    if not location.is_store:
        return [Problem(field, "must be a physical or virtual store", value)]
    if location.franchise_non_stockholding:
        return [
            Problem(field, "is a non-stockholding franchise store; it cannot fulfill customer orders", value)
        ]
    problems = []
    if not location.customer_order_location:
        problems.append(Problem(field, "is not a customer order location", value))
    expected = "V" if location.virtual else "S"
    if order.fulfill_location_type is not None and order.fulfill_location_type != expected:
        kind = "a virtual" if location.virtual else "a physical"
        problems.append(
            Problem(
                f"{at}.fulfillLocationType",
                f"must be {expected}: {value} is {kind} store",
                order.fulfill_location_type,
            )
        )
    return problems


def _source_problems(at: str, order: FulfillmentOrder, foundation: Foundation) -> list[Problem]:
    field, value = f"{at}.sourceLocation", order.source_location
    if value is None or order.source_location_type is None:
        return []
    if order.source_location_type == "SU":
        return [] if value in foundation.suppliers else [Problem(field, "is not a known supplier", value)]
    location = foundation.locations.get(value)
    if location is None:
        return [Problem(field, "is not a known location", value)]
    if order.source_location_type == "ST":
        if not location.is_store:
            return [Problem(field, "must be a store (sourceLocationType ST)", value)]
        if location.franchise_non_stockholding:
            return [
                Problem(
                    field, "is a non-stockholding franchise store; it cannot source customer orders", value
                )
            ]
        if not location.stockholding:
            return [Problem(field, "is not a stockholding store", value)]
        return []
    if location.location_type != "W":
        return [Problem(field, "must be a warehouse (sourceLocationType WH)", value)]
    return []


def _detail_problems(
    at: str, detail: FulfillmentOrderDetail, order: FulfillmentOrder, foundation: Foundation, hold: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    item = foundation.items.get(detail.item)
    if detail.order_quantity_suom <= Decimal(0):
        problems.append(
            Problem(f"{at}.orderQuantitySuom", "must be greater than 0", detail.order_quantity_suom)
        )
    if detail.item_line_no is not None and detail.item_line_no < 1:
        problems.append(Problem(f"{at}.itemLineNo", "must be 1 or more", detail.item_line_no))
    if detail.reference_item is not None and order.source_location_type != "SU":
        problems.append(
            Problem(
                f"{at}.referenceItem",
                "is supported for supplier (SU) drop-ship orders only",
                detail.reference_item,
            )
        )
    if item is None:
        return [*problems, Problem(f"{at}.item", "is not a known item", detail.item)]
    if not item.supported:
        problems.append(
            Problem(
                f"{at}.item",
                f"{item.item_type.lower()} items are not supported for customer orders",
                detail.item,
            )
        )
    elif not (item.sellable and item.customer_orderable):
        problems.append(Problem(f"{at}.item", "is not a sellable, customer orderable item", detail.item))
    if detail.standard_uom is not None and detail.standard_uom != item.standard_uom:
        problems.append(
            Problem(
                f"{at}.standardUom",
                f"must be the item's standard unit of measure {item.standard_uom}",
                detail.standard_uom,
            )
        )
    for location in unique(loc for loc in (order.fulfill_location, hold) if loc is not None):
        if foundation.status(detail.item, location) == DISCONTINUED:
            problems.append(Problem(f"{at}.item", f"is discontinued at location {location}", detail.item))
    return problems


def validate_orders(
    orders: Sequence[FulfillmentOrder], foundation: Foundation, channel_id: int | None
) -> list[Problem]:
    """Every problem of the collection; empty when it may be created."""
    problems: list[Problem] = []
    seen_orders: dict[tuple[str, str], int] = {}
    for index, order in enumerate(orders):
        key = (order.customer_order_no, order.fulfill_order_no)
        if key in seen_orders:
            problems.append(
                Problem(
                    f"items[{index}].fulfillOrderNo",
                    f"repeats the fulfillment order of items[{seen_orders[key]}]",
                    order.fulfill_order_no,
                )
            )
        seen_orders.setdefault(key, index)
        header = _header_problems(index, order, foundation)
        problems += header
        sourcing = None
        if not header:
            sourcing = sourcing_of(
                order.source_location_type,
                order.source_location,
                order.fulfill_location,
                foundation,
                channel_id,
            )
            if sourcing is None:
                problems.append(
                    Problem(
                        f"items[{index}].sourceLocation",
                        "has no customer orderable virtual warehouse",
                        order.source_location,
                    )
                )
        seen_lines: dict[tuple[str, int | None], int] = {}
        for position, detail in enumerate(order.details):
            at = f"items[{index}].details[{position}]"
            line = (detail.item, detail.item_line_no)
            if line in seen_lines:
                problems.append(
                    Problem(
                        f"{at}.itemLineNo",
                        f"repeats item and itemLineNo of details[{seen_lines[line]}]",
                        detail.item_line_no,
                    )
                )
            seen_lines.setdefault(line, position)
            hold = None if sourcing is None else sourcing.hold_location
            problems += _detail_problems(at, detail, order, foundation, hold)
    return problems
