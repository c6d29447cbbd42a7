"""Reservations (holds) per fulfillment order and their lines; idempotent partial releases.

Revision ID: 0003
Revises: 0002
"""

from shared_db.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE reservations (
    reservation_id    uuid PRIMARY KEY,
    customer_order_no text NOT NULL CHECK (customer_order_no <> '' AND length(customer_order_no) <= 48),
    fulfill_order_no  text NOT NULL CHECK (fulfill_order_no <> '' AND length(fulfill_order_no) <= 48),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (customer_order_no, fulfill_order_no)
);

-- `quantity` is what the line holds now: counted in stock.customer_reserved while the line is
-- HELD or CONFIRMED, zero otherwise.
CREATE TABLE reservation_lines (
    line_id                bigserial PRIMARY KEY,
    reservation_id         uuid NOT NULL REFERENCES reservations (reservation_id),
    item                   text NOT NULL,
    location               bigint NOT NULL,
    item_line_no           bigint,
    uom                    text NOT NULL,
    requested_quantity     numeric(12, 4) NOT NULL CHECK (requested_quantity > 0),
    quantity               numeric(12, 4) NOT NULL CHECK (quantity >= 0),
    released_quantity      numeric(12, 4) NOT NULL DEFAULT 0 CHECK (released_quantity >= 0),
    expired_quantity       numeric(12, 4) NOT NULL DEFAULT 0 CHECK (expired_quantity >= 0),
    status                 text NOT NULL CHECK (status IN ('HELD', 'CONFIRMED', 'RELEASED', 'EXPIRED')),
    expires_at             timestamptz,
    substitute_for_line_id bigint REFERENCES reservation_lines (line_id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (item, location) REFERENCES stock (item, location),
    CONSTRAINT held_lines_expire CHECK ((status = 'HELD') = (expires_at IS NOT NULL)),
    CONSTRAINT closed_lines_hold_nothing CHECK (status IN ('HELD', 'CONFIRMED') OR quantity = 0)
);
CREATE UNIQUE INDEX reservation_line_identity
    ON reservation_lines (reservation_id, item, (COALESCE(item_line_no, -1)));
CREATE INDEX held_lines_by_expiry ON reservation_lines (expires_at) WHERE status = 'HELD';
CREATE INDEX open_lines_by_stock ON reservation_lines (item, location) WHERE status IN ('HELD', 'CONFIRMED');

CREATE TABLE reservation_releases (
    reservation_id uuid NOT NULL REFERENCES reservations (reservation_id),
    release_id     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reservation_id, release_id)
);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS reservation_releases;
DROP TABLE IF EXISTS reservation_lines;
DROP TABLE IF EXISTS reservations;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
