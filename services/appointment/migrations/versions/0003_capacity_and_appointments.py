"""Service territories, windows with capacity (slots) and appointments.

`slots.booked` never leaves 0..capacity (CHECK); a booking takes capacity with one conditional
UPDATE. At most one confirmed appointment per sub-order (partial unique index).

Revision ID: 0003
Revises: 0002
"""

from shared_db.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE territories (
            territory_id text PRIMARY KEY,
            name         text NOT NULL,
            updated_at   timestamptz NOT NULL DEFAULT now()
        );

        CREATE TABLE slots (
            slot_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            territory_id text NOT NULL REFERENCES territories (territory_id),
            start_at     timestamp NOT NULL,
            end_at       timestamp NOT NULL,
            capacity     integer NOT NULL,
            booked       integer NOT NULL DEFAULT 0,
            CONSTRAINT slots_window_ends_after_start CHECK (end_at > start_at),
            CONSTRAINT slots_booked_within_capacity CHECK (booked >= 0 AND booked <= capacity),
            CONSTRAINT slots_one_per_territory_window UNIQUE (territory_id, start_at, end_at)
        );

        CREATE TABLE appointments (
            appointment_id text PRIMARY KEY,
            sub_order_id   text NOT NULL REFERENCES sub_orders (sub_order_id),
            order_id       text NOT NULL,
            sp_id          text NOT NULL,
            environment    text NOT NULL,
            slot_id        bigint NOT NULL REFERENCES slots (slot_id),
            start_at       timestamp NOT NULL,
            end_at         timestamp NOT NULL,
            status         text NOT NULL CHECK (
                status IN ('initialized', 'confirmed', 'cancelled', 'completed', 'failed')
            ),
            created_at     timestamptz NOT NULL DEFAULT now(),
            updated_at     timestamptz NOT NULL DEFAULT now()
        );
        CREATE UNIQUE INDEX appointments_one_confirmed_per_sub_order
            ON appointments (sub_order_id) WHERE status = 'confirmed';
        CREATE INDEX appointments_by_sub_order ON appointments (sub_order_id);
        CREATE INDEX appointments_by_slot ON appointments (slot_id);
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE appointments; DROP TABLE slots; DROP TABLE territories;")
