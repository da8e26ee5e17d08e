"""events.timestamp index: the dashboard reads Rasa's tracker-store table by time range. The table
is Rasa's; on a new install it does not exist yet, so it is created here as Rasa lays it out
(Rasa then finds it and leaves it as is)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("events"):
        # Rasa 3.6's SQLTrackerStore.SQLEvent.
        op.create_table(
            "events",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("type_name", sa.String(length=255), nullable=False),
            sa.Column("timestamp", sa.Float(), nullable=True),
            sa.Column("intent_name", sa.String(length=255), nullable=True),
            sa.Column("action_name", sa.String(length=255), nullable=True),
            sa.Column("data", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_events_sender_id", "events", ["sender_id"])
    # The columns the dashboard reads, after the time: its range scans need not visit the table.
    op.create_index(
        "ix_events_timestamp",
        "events",
        ["timestamp", "type_name", "sender_id", "intent_name", "action_name"],
    )


def downgrade() -> None:
    # The table stays: it holds Rasa's conversations.
    op.drop_index("ix_events_timestamp", table_name="events")
