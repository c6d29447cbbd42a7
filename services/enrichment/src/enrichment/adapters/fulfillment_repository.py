"""Fulfillment outcome per sub-order (fed by fulfillment.order.v1)."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import asyncpg

from enrichment.domain.status import ConfirmationType


@dataclass(frozen=True)
class FulfillmentOutcome:
    order_id: str
    sub_order_id: str
    confirmation_type: ConfirmationType
    confirmation_no: int | None
    fulfill_location: int | None
    confirmed_at: datetime
    trace_id: str | None


async def record_outcome(conn: asyncpg.Connection, outcome: FulfillmentOutcome) -> None:
    """The sub-order's latest outcome (a re-sent fulfillment order replaces the earlier one)."""
    await conn.execute(
        """
        INSERT INTO fulfillment_outcomes
            (sub_order_id, order_id, confirmation_type, confirmation_no, fulfill_location,
             confirmed_at, trace_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (sub_order_id) DO UPDATE
        SET confirmation_type = excluded.confirmation_type, confirmation_no = excluded.confirmation_no,
            fulfill_location = excluded.fulfill_location, confirmed_at = excluded.confirmed_at,
            trace_id = excluded.trace_id
        """,
        uuid.UUID(outcome.sub_order_id),
        uuid.UUID(outcome.order_id),
        outcome.confirmation_type,
        outcome.confirmation_no,
        outcome.fulfill_location,
        outcome.confirmed_at,
        outcome.trace_id,
    )


async def confirmations_of(conn: asyncpg.Connection, order_id: str) -> dict[str, ConfirmationType]:
    rows = await conn.fetch(
        "SELECT sub_order_id::text, confirmation_type FROM fulfillment_outcomes WHERE order_id = $1",
        uuid.UUID(order_id),
    )
    return {row["sub_order_id"]: cast(ConfirmationType, row["confirmation_type"]) for row in rows}


async def outcomes_of_sub_orders(
    conn: asyncpg.Connection, sub_order_ids: Sequence[str]
) -> dict[str, FulfillmentOutcome]:
    rows = await conn.fetch(
        """
        SELECT order_id::text, sub_order_id::text, confirmation_type, confirmation_no, fulfill_location,
               confirmed_at, trace_id
        FROM fulfillment_outcomes WHERE sub_order_id = ANY($1::uuid[])
        """,
        [uuid.UUID(sub_order_id) for sub_order_id in sub_order_ids],
    )
    return {row["sub_order_id"]: FulfillmentOutcome(**dict(row)) for row in rows}
