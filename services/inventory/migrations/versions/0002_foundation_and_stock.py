"""Foundation data (items, pack components, units of measure, locations, suppliers) and stock buckets.

Revision ID: 0002
Revises: 0001
"""

from shared_db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE items (
    item               text PRIMARY KEY CHECK (item <> '' AND length(item) <= 25),
    description        text NOT NULL DEFAULT '',
    item_type          text NOT NULL DEFAULT 'REGULAR' CHECK (item_type IN (
        'REGULAR', 'PACK', 'CATCHWEIGHT', 'TRANSFORMABLE', 'CONSIGNMENT', 'CONCESSION', 'DEPOSIT_CONTAINER')),
    standard_uom       text NOT NULL DEFAULT 'EA' CHECK (standard_uom <> '' AND length(standard_uom) <= 4),
    sellable           boolean NOT NULL DEFAULT true,
    customer_orderable boolean NOT NULL DEFAULT true,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pack_components (
    pack_item      text NOT NULL REFERENCES items (item),
    component_item text NOT NULL REFERENCES items (item),
    quantity       numeric(12, 4) NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (pack_item, component_item),
    CHECK (pack_item <> component_item)
);

-- One unit of `uom` is `factor` units of the item's standard unit of measure.
CREATE TABLE uom_conversions (
    item   text NOT NULL REFERENCES items (item),
    uom    text NOT NULL CHECK (uom <> '' AND length(uom) <= 4),
    factor numeric(12, 4) NOT NULL CHECK (factor > 0),
    PRIMARY KEY (item, uom)
);

-- Stores (S) and warehouses (W). A physical warehouse holds no stock; its virtual warehouses
-- (physical_warehouse set) do, each of one channel, customer orderable or not
-- (customer_order_location), one of them primary.
CREATE TABLE locations (
    location                bigint PRIMARY KEY CHECK (location BETWEEN 1 AND 9999999999),
    location_type           text NOT NULL CHECK (location_type IN ('S', 'W')),
    name                    text NOT NULL DEFAULT '',
    virtual                 boolean NOT NULL DEFAULT false,
    stockholding            boolean NOT NULL DEFAULT true,
    franchise               boolean NOT NULL DEFAULT false,
    customer_order_location boolean NOT NULL DEFAULT false,
    physical_warehouse      bigint REFERENCES locations (location),
    channel_id              integer CHECK (channel_id BETWEEN -9999 AND 9999),
    primary_virtual         boolean NOT NULL DEFAULT false,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT store_shape CHECK (
        location_type <> 'S' OR (physical_warehouse IS NULL AND channel_id IS NULL AND NOT primary_virtual)),
    CONSTRAINT physical_warehouse_shape CHECK (
        location_type <> 'W' OR physical_warehouse IS NOT NULL
        OR (NOT stockholding AND NOT franchise AND channel_id IS NULL AND NOT primary_virtual)),
    CONSTRAINT virtual_warehouse_shape CHECK (
        physical_warehouse IS NULL OR (location_type = 'W' AND stockholding AND NOT franchise))
);
CREATE INDEX locations_by_physical_warehouse ON locations (physical_warehouse)
    WHERE physical_warehouse IS NOT NULL;
CREATE UNIQUE INDEX one_primary_virtual_warehouse ON locations (physical_warehouse) WHERE primary_virtual;

CREATE TABLE suppliers (
    supplier   bigint PRIMARY KEY CHECK (supplier BETWEEN 1 AND 9999999999),
    name       text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE supplier_items (
    supplier         bigint NOT NULL REFERENCES suppliers (supplier),
    item             text NOT NULL REFERENCES items (item),
    primary_supplier boolean NOT NULL DEFAULT false,
    PRIMARY KEY (supplier, item)
);
CREATE INDEX supplier_items_by_item ON supplier_items (item);

-- A row ranges the item at the location (status A active, C discontinued, I inactive) and holds
-- its stock buckets. `available` is the specification's formula, computed by PostgreSQL on every
-- change; the CHECK keeps customer reservations within what can be reserved.
CREATE TABLE stock (
    item              text NOT NULL REFERENCES items (item),
    location          bigint NOT NULL REFERENCES locations (location),
    status            text NOT NULL DEFAULT 'A' CHECK (status IN ('A', 'C', 'I')),
    stock_on_hand     numeric(12, 4) NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    transfer_reserved numeric(12, 4) NOT NULL DEFAULT 0 CHECK (transfer_reserved >= 0),
    customer_reserved numeric(12, 4) NOT NULL DEFAULT 0 CHECK (customer_reserved >= 0),
    rtv               numeric(12, 4) NOT NULL DEFAULT 0 CHECK (rtv >= 0),
    non_sellable      numeric(12, 4) NOT NULL DEFAULT 0 CHECK (non_sellable >= 0),
    backorder         numeric(12, 4) NOT NULL DEFAULT 0 CHECK (backorder >= 0),
    available         numeric GENERATED ALWAYS AS (
        stock_on_hand - (transfer_reserved + customer_reserved + rtv + non_sellable)) STORED,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (item, location),
    CONSTRAINT customer_reserved_within_reservable CHECK (available >= 0)
);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS stock;
DROP TABLE IF EXISTS supplier_items;
DROP TABLE IF EXISTS suppliers;
DROP TABLE IF EXISTS locations;
DROP TABLE IF EXISTS uom_conversions;
DROP TABLE IF EXISTS pack_components;
DROP TABLE IF EXISTS items;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
