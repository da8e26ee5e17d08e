"""chat_sessions, login_token_uses, identity_failures: chat secrets, single-use login tokens and
identity failures counted per customer and per possession factor across chats

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_sessions",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("customer_reference", sa.String(length=32), nullable=True),
        sa.Column("verified_by", sa.String(length=16), nullable=True),
        sa.Column("verified_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("chat_id"),
        sa.UniqueConstraint("secret_digest"),
    )
    op.create_table(
        "login_token_uses",
        sa.Column("jti", sa.String(length=128), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index("ix_login_token_uses_expires_at", "login_token_uses", ["expires_at"])
    op.create_table(
        "identity_failures",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject"),
    )


def downgrade() -> None:
    op.drop_table("identity_failures")
    op.drop_index("ix_login_token_uses_expires_at", table_name="login_token_uses")
    op.drop_table("login_token_uses")
    op.drop_table("chat_sessions")
