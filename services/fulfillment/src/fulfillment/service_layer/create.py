"""Create Fulfillment Order: validate (all-or-nothing), hold stock in inventory (try), then commit
every fulfillment order with its FulfillmentOrderCreated in one transaction (inventory confirms
the holds from the event). Holds whose commit never happens expire in inventory (cancel).

Re-sending a known fulfillment order adds its new lines (held and confirmed like the first ones);
lines already on the order change nothing, and an unchanged order emits no event again.
"""

import asyncio
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg

from fulfillment.adapters import repository
from fulfillment.adapters.repository import NewLine, NewOrder, OrderKey, StoredOrder
from fulfillment.domain.errors import InvalidRequestError, OmsDisabledError
from fulfillment.domain.foundation import Foundation, FoundationQuery, unique
from fulfillment.domain.holds import BackorderLine, HoldLine, HoldResult, backorder_place, shortages
from fulfillment.domain.lines import Line, all_or_nothing, confirmation_type, partial_allowed
from fulfillment.domain.sourcing import Kind, Sourcing, sourcing_of
from fulfillment.domain.validation import foundation_query, validate_orders
from fulfillment.service_layer.events import created_event
from fulfillment.service_layer.ports import Database, Inventory, trace_headers
from fulfillment.service_layer.rules import Rules
from shared_contracts.merchandising import ConfirmationDetail, FulfillmentConfirmation, FulfillmentOrder
from shared_messaging import add_event


@dataclass(frozen=True)
class Origin:
    """The distributor order a fulfillment order was made for (saga), with its customer if kept."""

    order_id: str
    sub_order_id: str
    customer: dict[str, object] | None = None


@dataclass
class CreateOutcome:
    confirmations: list[FulfillmentConfirmation] = field(default_factory=list)
    shortages: list[BackorderLine] = field(default_factory=list)


@dataclass(frozen=True)
class _Plan:
    order: FulfillmentOrder
    sourcing: Sourcing
    new_lines: list[NewLine]
    hold: HoldResult | None


async def _foundation(
    inventory: Inventory, orders: Sequence[FulfillmentOrder], rules: Rules, headers: dict[str, str]
) -> Foundation:
    """One lookup (inventory answers item statuses at a warehouse's virtual warehouses too); a second
    one only for shipping virtual warehouses the first answer left out."""
    foundation = await inventory.look_up(foundation_query(orders), headers)
    missing: list[tuple[str, int]] = []
    for order in orders:
        sourcing = sourcing_of(
            order.source_location_type,
            order.source_location,
            order.fulfill_location,
            foundation,
            rules.channel_id,
        )
        if sourcing is None or sourcing.hold_location is None:
            continue
        missing += [
            (detail.item, sourcing.hold_location)
            for detail in order.details
            if (detail.item, sourcing.hold_location) not in foundation.statuses
        ]
    if not missing:
        return foundation
    more = await inventory.look_up(FoundationQuery((), (), unique(missing), ()), headers)
    return Foundation(
        items=foundation.items,
        locations=foundation.locations,
        statuses={**foundation.statuses, **more.statuses},
        suppliers=foundation.suppliers,
        supplied=foundation.supplied,
    )


def _new_lines(order: FulfillmentOrder, known: StoredOrder | None, foundation: Foundation) -> list[NewLine]:
    known_keys = set() if known is None else {line.key for line in known.lines}
    lines = []
    for detail in order.details:
        if (detail.item, detail.item_line_no) in known_keys:
            continue
        item = foundation.items[detail.item]
        lines.append(
            NewLine(
                line=Line(
                    item=detail.item,
                    item_line_no=detail.item_line_no,
                    ordered=detail.order_quantity_suom,
                    confirmed=Decimal(0),
                    uom=item.standard_uom,
                    reference_item=detail.reference_item,
                ),
                transaction_uom=detail.transaction_uom,
                substitute_ind=detail.substitute_ind,
                unit_retail=detail.unit_retail,
                retail_currency=detail.retail_currency,
                comments=detail.comments,
            )
        )
    return lines


async def _hold(
    inventory: Inventory,
    order: FulfillmentOrder,
    sourcing: Sourcing,
    lines: list[NewLine],
    rules: Rules,
    headers: dict[str, str],
) -> HoldResult | None:
    if sourcing.kind is Kind.PURCHASE_ORDER or not lines or sourcing.hold_location is None:
        return None
    return await inventory.hold(
        order.customer_order_no,
        order.fulfill_order_no,
        [
            HoldLine(new.line.item, sourcing.hold_location, new.line.ordered, new.line.item_line_no)
            for new in lines
        ],
        partial=partial_allowed(order.partial_delivery_ind),
        hold_seconds=rules.hold_seconds,
        headers=headers,
    )


def _confirmed(plan: _Plan, foundation: Foundation) -> list[NewLine]:
    """The new lines with what the purchase order, transfer or reservation took."""
    order, source = plan.order, plan.order.source_location
    lines = []
    for new in plan.new_lines:
        line = new.line
        if plan.sourcing.kind is Kind.PURCHASE_ORDER:
            took = (
                line.ordered
                if source is not None and (source, line.item) in foundation.supplied
                else Decimal(0)
            )
        else:
            took = Decimal(0) if plan.hold is None else plan.hold.reserved.get(line.key, Decimal(0))
        lines.append(
            NewLine(
                Line(
                    line.item,
                    line.item_line_no,
                    line.ordered,
                    min(took, line.ordered),
                    line.uom,
                    reference_item=line.reference_item,
                ),
                new.transaction_uom,
                new.substitute_ind,
                new.unit_retail,
                new.retail_currency,
                new.comments,
            )
        )
    if partial_allowed(order.partial_delivery_ind):
        return lines
    kept = all_or_nothing([new.line for new in lines])
    return [
        NewLine(
            line, new.transaction_uom, new.substitute_ind, new.unit_retail, new.retail_currency, new.comments
        )
        for line, new in zip(kept, lines, strict=True)
    ]


def _header(order: FulfillmentOrder, origin: Origin | None, rules: Rules) -> dict[str, object]:
    customer: dict[str, object] | None = None
    if rules.persist_customer_data:
        if order.customer_details is not None:
            customer = order.customer_details.model_dump(mode="json", exclude_none=True)
        elif origin is not None:
            customer = origin.customer
    return {
        "delivery_type": order.delivery_type,
        "carrier_code": order.carrier_code,
        "carrier_service_code": order.carrier_service_code,
        "consumer_delivery_date": order.consumer_delivery_date,
        "consumer_delivery_time": order.consumer_delivery_time,
        "delivery_charges": order.delivery_charges,
        "delivery_charges_currency": order.delivery_charges_currency,
        "comments": order.comments,
        "order_placed_store": order.order_placed_store,
        "customer_details": customer,
    }


def confirmation_of(order: StoredOrder, rules: Rules) -> FulfillmentConfirmation:
    """The specification's response object: R has no details, location or system code."""
    numbered = order.confirmation_type in ("C", "P")
    if order.confirmation_type == "R":
        return FulfillmentConfirmation(
            customer_order_no=order.customer_order_no,
            fulfill_order_no=order.fulfill_order_no,
            confirmation_type="R",
        )
    return FulfillmentConfirmation(
        customer_order_no=order.customer_order_no,
        fulfill_order_no=order.fulfill_order_no,
        confirmation_type=order.confirmation_type,
        confirmation_no=order.confirmation_no if numbered else None,
        details=[
            ConfirmationDetail(
                item=line.item,
                reference_item=line.reference_item,
                confirmed_quantity=line.confirmed,
                confirmed_quantity_uom=line.uom,
                item_line_no=line.item_line_no,
            )
            for line in order.lines
        ],
        fulfill_location=order.fulfill_location,
        system_code=rules.system_code,
    )


async def _commit(
    conn: asyncpg.Connection,
    plans: Sequence[_Plan],
    foundation: Foundation,
    origins: Mapping[OrderKey, Origin],
    rules: Rules,
    transaction_id: str | None,
) -> CreateOutcome:
    keys = [(plan.order.customer_order_no, plan.order.fulfill_order_no) for plan in plans]
    for plan, key in zip(plans, keys, strict=True):
        origin = origins.get(key)
        request = plan.order
        await repository.insert_order(
            conn,
            NewOrder(
                customer_order_no=request.customer_order_no,
                fulfill_order_no=request.fulfill_order_no,
                kind=plan.sourcing.kind,
                source_location_type=request.source_location_type,
                source_location=request.source_location,
                hold_location=plan.sourcing.hold_location,
                fulfill_location_type=request.fulfill_location_type,
                fulfill_location=request.fulfill_location,
                partial_delivery_ind=request.partial_delivery_ind,
                header=_header(request, origin, rules),
                order_id=None if origin is None else origin.order_id,
                sub_order_id=None if origin is None else origin.sub_order_id,
            ),
        )
    stored = await repository.load_orders(conn, keys, lock=True)
    outcome = CreateOutcome()
    for plan, key in zip(plans, keys, strict=True):
        order = stored[key]
        fresh = order.confirmation_no is None and order.reservation_id is None and not order.lines
        inserted = await repository.insert_lines(conn, order, _confirmed(plan, foundation))
        if inserted or fresh:
            order.confirmation_type = confirmation_type(order.kind, order.lines)
            if order.confirmation_type in ("C", "P") and order.confirmation_no is None:
                order.confirmation_no = await repository.next_confirmation_no(conn)
            if plan.hold is not None:
                order.reservation_id = plan.hold.reservation_id
            await repository.save_confirmation(conn, order)
            await add_event(conn, created_event(order), transaction_id=transaction_id)
            place = backorder_place(
                order.kind,
                order.source_location_type,
                order.source_location,
                order.fulfill_location,
                rules.channel_id,
            )
            outcome.shortages += shortages(inserted, place)
        outcome.confirmations.append(confirmation_of(order, rules))
    return outcome


async def _known_orders(db: Database, keys: Sequence[OrderKey]) -> dict[OrderKey, StoredOrder]:
    async with db.reading() as conn:
        return await repository.load_orders(conn, keys, lock=False)


async def create_fulfillment_orders(
    db: Database,
    inventory: Inventory,
    orders: Sequence[FulfillmentOrder],
    rules: Rules,
    *,
    trace_id: str | None,
    transaction_id: str | None,
    origins: Mapping[OrderKey, Origin] | None = None,
    from_oms: bool = True,
) -> CreateOutcome:
    if from_oms and not rules.oms_enabled:
        raise OmsDisabledError()
    headers = trace_headers(trace_id)
    keys = [(order.customer_order_no, order.fulfill_order_no) for order in orders]
    foundation, known = await asyncio.gather(
        _foundation(inventory, orders, rules, headers), _known_orders(db, keys)
    )
    problems = validate_orders(orders, foundation, rules.channel_id)
    if problems:
        raise InvalidRequestError(problems)
    sourcings = []
    for order, key in zip(orders, keys, strict=True):
        existing = known.get(key)
        if existing is not None:
            sourcings.append(Sourcing(existing.kind, existing.hold_location))
            continue
        sourcing = sourcing_of(
            order.source_location_type,
            order.source_location,
            order.fulfill_location,
            foundation,
            rules.channel_id,
        )
        assert sourcing is not None  # validated above
        sourcings.append(sourcing)
    new_lines = [
        _new_lines(order, known.get(key), foundation) for order, key in zip(orders, keys, strict=True)
    ]
    holds = await asyncio.gather(
        *(
            _hold(inventory, order, sourcing, lines, rules, headers)
            for order, sourcing, lines in zip(orders, sourcings, new_lines, strict=True)
        )
    )
    if rules.die_after_hold and any(hold is not None for hold in holds):
        os.kill(os.getpid(), signal.SIGKILL)  # the crash test's fault point: held, never committed
    plans = [
        _Plan(order, sourcing, lines, hold)
        for order, sourcing, lines, hold in zip(orders, sourcings, new_lines, holds, strict=True)
    ]
    async with db.writing() as conn:
        return await _commit(conn, plans, foundation, origins or {}, rules, transaction_id)
