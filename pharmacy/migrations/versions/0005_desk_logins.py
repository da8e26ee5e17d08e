"""desk logins kept in the database (survive a desk restart, shared by several desk processes)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_logins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
        ),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("desk_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_desk_logins_agent_id"), ["agent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("desk_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_logins_agent_id"))
    op.drop_table("desk_logins")
