"""The dashboard's digest of the tracker events: per-conversation rows of quarter hours, the
unanswered messages and the cursor of events read (``pharmacy.metrics.digest``). Empty here: the
first digest run fills them from the events already recorded

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_quarters",
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("user_turns", sa.Integer(), nullable=False),
        sa.Column("fallback_turns", sa.Integer(), nullable=False),
        sa.Column("skills", sa.Integer(), nullable=False),
        sa.Column("goal", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sender_id", "quarter"),
    )
    op.create_index(
        "ix_conversation_quarters_quarter",
        "conversation_quarters",
        ["quarter", "sender_id", "user_turns", "fallback_turns", "skills", "goal"],
    )
    op.create_table(
        "unanswered_turns",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("why", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_unanswered_turns_sender_id", "unanswered_turns", ["sender_id"])
    op.create_index("ix_unanswered_turns_at", "unanswered_turns", ["at"])
    op.create_table(
        "metrics_digest_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.execute("INSERT INTO metrics_digest_cursor (name, last_event_id) VALUES ('events', 0)")


def downgrade() -> None:
    op.drop_table("metrics_digest_cursor")
    op.drop_index("ix_unanswered_turns_at", table_name="unanswered_turns")
    op.drop_index("ix_unanswered_turns_sender_id", table_name="unanswered_turns")
    op.drop_table("unanswered_turns")
    op.drop_index("ix_conversation_quarters_quarter", table_name="conversation_quarters")
    op.drop_table("conversation_quarters")
