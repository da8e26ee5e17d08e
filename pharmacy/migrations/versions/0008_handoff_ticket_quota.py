"""handoff_ticket_quota: new tickets per client and clock hour (limits ticket floods)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_ticket_quota",
        sa.Column("client_key", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_key", "window_start"),
    )
    with op.batch_alter_table("handoff_ticket_quota", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handoff_ticket_quota_window_start"), ["window_start"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff_ticket_quota", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_ticket_quota_window_start"))
    op.drop_table("handoff_ticket_quota")
