"""reminder_sends.shown_at: which claimed reminder the chat has said (the action takes the oldest
not yet said), and an index on conversation_id for that lookup

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_sends", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shown_at", sa.DateTime(), nullable=True))
        batch_op.create_index(
            "ix_reminder_sends_conversation_id", ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reminder_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_sends_conversation_id")
        batch_op.drop_column("shown_at")
