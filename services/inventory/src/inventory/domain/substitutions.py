"""Item substitutions from store picking: which reserved line shrinks and which substitutes it gets.

Rules (specification and API.md): the location is a stockholding store; the original item has an
open reservation line on the customer order / fulfillment order at that store (with
`itemLineNo` when given); the revised quantity is at most what the line holds; each substitute
exists, is not catchweight, transformable, consignment, concession or a deposit container, is
ranged at the store, active or discontinued there (refused when discontinued, per API.md), and its
quantity is converted to its standard unit of measure. A substitute keeps its own line (item +
the original's itemLineNo) with a cross reference to the original line; sending the same
substitution again moves nothing (quantities are targets, not increments).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from inventory.domain.catalog import Catalog
from inventory.domain.errors import RuleBrokenError, collect
from inventory.domain.holds import ReservationLine
from inventory.domain.items import Item, ItemStatus
from inventory.domain.locations import Location
from inventory.domain.quantities import UnknownUnitOfMeasureError, to_standard_uom
from shared_contracts.merchandising import SubstituteDetail, SubstitutionItem


@dataclass(frozen=True)
class SubstitutePlan:
    item: Item
    quantity: Decimal
    """The target quantity of the substitute line, in the substitute's standard unit of measure."""
    existing: ReservationLine | None

    @property
    def delta(self) -> Decimal:
        held = self.existing.quantity if self.existing is not None and self.existing.is_open else Decimal(0)
        return self.quantity - held


@dataclass(frozen=True)
class SubstitutionPlan:
    index: int
    request: SubstitutionItem
    store: Location
    original_item: Item
    original: ReservationLine
    revised_quantity: Decimal
    substitutes: list[SubstitutePlan]

    @property
    def cancelled_quantity(self) -> Decimal:
        return self.original.quantity - self.revised_quantity

    @property
    def changes_anything(self) -> bool:
        """False for the same substitution sent again: nothing moves, nothing is announced."""
        return bool(self.cancelled_quantity) or any(substitute.delta for substitute in self.substitutes)


def _store(catalog: Catalog, number: int) -> Location:
    location = catalog.location(number)
    if not location.is_store:
        raise RuleBrokenError(
            f"Location {number} is a {location.kind()}; item substitution is "
            "supported for store locations only"
        )
    if not location.stockholding:
        raise RuleBrokenError(f"Location {number} is a {location.kind()}")
    return location


def _original_line(
    request: SubstitutionItem, lines: Sequence[ReservationLine], store: Location
) -> ReservationLine:
    candidates = [
        line
        for line in lines
        if line.is_open
        and line.item == request.item
        and line.location == store.location
        and (request.item_line_no is None or line.item_line_no == request.item_line_no)
    ]
    line_text = "" if request.item_line_no is None else f" line {request.item_line_no}"
    if not candidates:
        raise RuleBrokenError(
            f"Item {request.item}{line_text} has no reservation on customer order "
            f"{request.customer_order_no} / fulfillment order {request.fulfill_order_no} at store "
            f"{store.location}; only reserved items can be substituted"
        )
    if len(candidates) > 1:
        raise RuleBrokenError(
            f"Item {request.item} is reserved on several lines of fulfillment order "
            f"{request.fulfill_order_no}; give itemLineNo"
        )
    return candidates[0]


def _substitute(
    detail: SubstituteDetail,
    catalog: Catalog,
    store: Location,
    original: ReservationLine,
    lines: Sequence[ReservationLine],
) -> SubstitutePlan:
    item = catalog.item(detail.substitute_item)
    if item.item == original.item:
        raise RuleBrokenError(f"Item {item.item} cannot substitute itself")
    if not item.supported_for_customer_orders:
        raise RuleBrokenError(
            f"Item {item.item} is a {item.type_name} item; {item.type_name} items are not supported "
            "for customer order item substitution"
        )
    status = catalog.ranged_status(item.item, store)
    if status is not ItemStatus.ACTIVE:
        state = "discontinued" if status is ItemStatus.DISCONTINUED else "inactive"
        raise RuleBrokenError(f"Item {item.item} is {state} at {store.describe()}")
    if detail.substitute_item_quantity <= 0:
        raise RuleBrokenError(f"The quantity of substitute item {item.item} must be more than zero")
    try:
        quantity = to_standard_uom(item, detail.substitute_item_quantity, detail.substitute_item_quantity_uom)
    except UnknownUnitOfMeasureError as error:
        raise RuleBrokenError(str(error)) from error
    existing = next(
        (line for line in lines if line.key == (item.item, original.item_line_no)),
        None,
    )
    if existing is not None and existing.substitute_for_line_id != original.line_id:
        raise RuleBrokenError(
            f"Item {item.item} is already on fulfillment order line {original.item_line_no} "
            "other than as a substitute of this item"
        )
    return SubstitutePlan(item, quantity, existing)


def _plan(
    index: int, request: SubstitutionItem, catalog: Catalog, lines: Sequence[ReservationLine]
) -> SubstitutionPlan:
    store = _store(catalog, request.location)
    original_item = catalog.item(request.item)
    original = _original_line(request, lines, store)
    try:
        revised = to_standard_uom(original_item, request.quantity, request.uom)
    except UnknownUnitOfMeasureError as error:
        raise RuleBrokenError(str(error)) from error
    if revised < 0:
        raise RuleBrokenError(f"The revised quantity of item {request.item} cannot be negative")
    if revised > original.quantity:
        raise RuleBrokenError(
            f"The revised quantity {revised.normalize():f} of item {request.item} is more than its "
            f"reserved quantity {original.quantity.normalize():f}"
        )
    if not request.details:
        raise RuleBrokenError(f"Item {request.item} has no substitute item details")
    substitutes = []
    errors = []
    seen: set[str] = set()
    for position, detail in enumerate(request.details):
        try:
            if detail.substitute_item in seen:
                raise RuleBrokenError(f"Substitute item {detail.substitute_item} is given twice")
            seen.add(detail.substitute_item)
            substitutes.append(_substitute(detail, catalog, store, original, lines))
        except RuleBrokenError as error:
            errors.append(f"details[{position}]: {error}")
    if errors:
        raise RuleBrokenError("; ".join(errors))
    return SubstitutionPlan(index, request, store, original_item, original, revised, substitutes)


def plan_substitutions(
    requests: Sequence[SubstitutionItem],
    catalog: Catalog,
    lines_by_order: dict[tuple[str, str], list[ReservationLine]],
) -> list[SubstitutionPlan]:
    """Every substitution's plan, or a `BusinessRuleError` naming every entry that breaks a rule."""
    plans = []
    errors = []
    originals: dict[int, int] = {}
    for index, request in enumerate(requests):
        lines = lines_by_order.get((request.customer_order_no, request.fulfill_order_no), [])
        try:
            plan = _plan(index, request, catalog, lines)
            if plan.original.line_id in originals:
                first = originals[plan.original.line_id]
                raise RuleBrokenError(f"substitutes the same reserved line as items[{first}]")
            originals[plan.original.line_id] = index
            plans.append(plan)
        except RuleBrokenError as error:
            errors.append(f"items[{index}]: {error}")
    collect(errors)
    return plans
