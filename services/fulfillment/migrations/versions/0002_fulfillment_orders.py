"""Fulfillment orders, their lines and the confirmation number sequence.

Revision ID: 0002
Revises: 0001
"""

from shared_db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE SEQUENCE confirmation_numbers START WITH 1000001;

CREATE TABLE fulfillment_orders (
    fulfillment_order_id      bigserial PRIMARY KEY,
    customer_order_no         text NOT NULL
        CHECK (customer_order_no <> '' AND length(customer_order_no) <= 48),
    fulfill_order_no          text NOT NULL CHECK (fulfill_order_no <> '' AND length(fulfill_order_no) <= 48),
    order_id                  text,
    sub_order_id              text,
    kind                      text NOT NULL CHECK (kind IN ('PURCHASE_ORDER', 'TRANSFER', 'RESERVATION')),
    source_location_type      text CHECK (source_location_type IN ('SU', 'ST', 'WH')),
    source_location           bigint,
    hold_location             bigint,
    fulfill_location_type     text CHECK (fulfill_location_type IN ('S', 'V')),
    fulfill_location          bigint NOT NULL,
    partial_delivery_ind      text NOT NULL CHECK (partial_delivery_ind IN ('Y', 'N')),
    delivery_type             text,
    carrier_code              text,
    carrier_service_code      text,
    consumer_delivery_date    date NOT NULL,
    consumer_delivery_time    timestamptz,
    delivery_charges          numeric(20, 4),
    delivery_charges_currency text,
    comments                  text,
    order_placed_store        bigint,
    customer_details          jsonb,
    confirmation_type         text NOT NULL CHECK (confirmation_type IN ('C', 'P', 'X', 'R')),
    confirmation_no           bigint UNIQUE,
    reservation_id            text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_order_no, fulfill_order_no)
);

CREATE TABLE fulfillment_order_lines (
    line_id               bigserial PRIMARY KEY,
    fulfillment_order_id  bigint NOT NULL REFERENCES fulfillment_orders (fulfillment_order_id),
    item                  text NOT NULL,
    reference_item        text,
    item_line_no          bigint,
    uom                   text NOT NULL,
    transaction_uom       text,
    ordered_quantity      numeric(12, 4) NOT NULL CHECK (ordered_quantity > 0),
    confirmed_quantity    numeric(12, 4) NOT NULL CHECK (confirmed_quantity >= 0),
    cancelled_quantity    numeric(12, 4) NOT NULL DEFAULT 0 CHECK (cancelled_quantity >= 0),
    substitute_ind        text,
    unit_retail           numeric(20, 4),
    retail_currency       text,
    comments              text,
    substitute_for_line_id bigint REFERENCES fulfillment_order_lines (line_id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT confirmed_within_ordered CHECK (confirmed_quantity <= ordered_quantity),
    CONSTRAINT cancelled_within_confirmed CHECK (cancelled_quantity <= confirmed_quantity),
    CONSTRAINT one_line_per_item_and_number
        UNIQUE NULLS NOT DISTINCT (fulfillment_order_id, item, item_line_no)
);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS fulfillment_order_lines;
DROP TABLE IF EXISTS fulfillment_orders;
DROP SEQUENCE IF EXISTS confirmation_numbers;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
