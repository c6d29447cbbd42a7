"""Orders, contracts, sub-orders, items, enrichment steps, CDGs, status history, read models.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


UPGRADE: tuple[str, ...] = (
    """
    CREATE TABLE cdgs (
        cdg_id      uuid PRIMARY KEY,
        sp_id       text NOT NULL,
        environment text NOT NULL CHECK (environment IN ('sandbox', 'production')),
        name        text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        trace_id    text
    )
    """,
    """
    CREATE TABLE orders (
        order_id          uuid PRIMARY KEY,
        contract_id       uuid NOT NULL UNIQUE,
        sp_id             text NOT NULL,
        environment       text NOT NULL CHECK (environment IN ('sandbox', 'production')),
        client_id         text NOT NULL,
        quote_id          text NOT NULL,
        external_order_id text,
        source            text,
        transaction_id    text,
        customer          jsonb,
        contacts          jsonb,
        status            text NOT NULL CHECK (status IN (
            'DRAFT', 'SUBMITTED', 'CONFIRMED', 'PARTIALLY_CONFIRMED', 'BACKORDERED', 'CANCELLED')),
        cdg_id            uuid REFERENCES cdgs (cdg_id),
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE INDEX orders_by_tenant ON orders (sp_id, environment, created_at DESC, order_id DESC)
    """,
    """
    CREATE INDEX orders_by_external_id ON orders (sp_id, environment, external_order_id)
    """,
    """
    CREATE INDEX orders_by_cdg ON orders (cdg_id) WHERE cdg_id IS NOT NULL
    """,
    """
    CREATE TABLE sub_orders (
        sub_order_id uuid PRIMARY KEY,
        order_id     uuid NOT NULL REFERENCES orders (order_id),
        position     smallint NOT NULL,
        site_address jsonb NOT NULL,
        UNIQUE (order_id, position)
    )
    """,
    """
    CREATE TABLE order_items (
        order_item_id   uuid PRIMARY KEY,
        sub_order_id    uuid NOT NULL REFERENCES sub_orders (sub_order_id),
        position        smallint NOT NULL,
        item            text NOT NULL,
        quantity        integer NOT NULL CHECK (quantity > 0),
        order_item_type text,
        UNIQUE (sub_order_id, position)
    )
    """,
    """
    CREATE TABLE sub_order_steps (
        sub_order_id uuid NOT NULL REFERENCES sub_orders (sub_order_id),
        step         text NOT NULL CHECK (step IN ('INSTALLATION', 'SHIPPING', 'BILLING')),
        data         jsonb NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now(),
        trace_id     text,
        PRIMARY KEY (sub_order_id, step)
    )
    """,
    """
    CREATE TABLE order_status_history (
        id          bigserial PRIMARY KEY,
        order_id    uuid NOT NULL REFERENCES orders (order_id),
        from_status text,
        to_status   text NOT NULL,
        reason      text NOT NULL,
        changed_at  timestamptz NOT NULL DEFAULT now(),
        trace_id    text
    )
    """,
    """
    CREATE INDEX order_status_history_by_order ON order_status_history (order_id, id)
    """,
    """
    -- Read model of appointments.appointment.v1 (ids are the appointment service's, kept as text).
    CREATE TABLE appointment_bookings (
        appointment_id text PRIMARY KEY,
        order_id       text NOT NULL,
        sub_order_id   text NOT NULL,
        status         text NOT NULL CHECK (status IN ('CONFIRMED', 'CANCELLED')),
        start_date     timestamp NOT NULL,
        end_date       timestamp NOT NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE INDEX appointment_bookings_by_sub_order
        ON appointment_bookings (sub_order_id, updated_at DESC)
    """,
    """
    -- Outcome of the fulfillment order of each sub-order (fulfillment.order.v1).
    CREATE TABLE fulfillment_outcomes (
        sub_order_id      uuid PRIMARY KEY REFERENCES sub_orders (sub_order_id),
        order_id          uuid NOT NULL REFERENCES orders (order_id),
        confirmation_type text NOT NULL CHECK (confirmation_type IN ('C', 'P', 'X', 'R')),
        confirmation_no   bigint,
        fulfill_location  bigint,
        confirmed_at      timestamptz NOT NULL,
        trace_id          text
    )
    """,
)

DOWNGRADE: tuple[str, ...] = (
    """
    DROP TABLE fulfillment_outcomes
    """,
    """
    DROP TABLE appointment_bookings
    """,
    """
    DROP TABLE order_status_history
    """,
    """
    DROP TABLE sub_order_steps
    """,
    """
    DROP TABLE order_items
    """,
    """
    DROP TABLE sub_orders
    """,
    """
    DROP TABLE orders
    """,
    """
    DROP TABLE cdgs
    """,
)


def upgrade() -> None:
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in DOWNGRADE:
        op.execute(statement)
