"""handoff_tickets.client_address_key: the channel's keyed hash of the client's address, so that a
script's tickets from many new chats are counted and grouped together

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_address_key", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_handoff_tickets_client_address_key", ["client_address_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_handoff_tickets_client_address_key")
        batch_op.drop_column("client_address_key")
