"""a cancelled order frees its refill: the idempotency key is unique among live orders only

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEX = "uq_orders_live_idempotency_key"
LIVE = sa.text("status <> 'cancelled'")
# 0001 declared the column UNIQUE without a name: PostgreSQL named it, SQLite did not.
POSTGRES_NAME = "orders_idempotency_key_key"
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("orders", naming_convention=SQLITE_NAMES) as batch_op:
            batch_op.drop_constraint("uq_orders_idempotency_key", type_="unique")
    else:
        op.drop_constraint(POSTGRES_NAME, "orders", type_="unique")
    op.create_index(
        INDEX, "orders", ["idempotency_key"], unique=True, sqlite_where=LIVE, postgresql_where=LIVE
    )


def downgrade() -> None:
    # A key unique again across all orders: a cancelled order gives its key up when another
    # order (live, or cancelled earlier) holds the same one.
    op.execute(
        "UPDATE orders SET idempotency_key = NULL WHERE status = 'cancelled' AND EXISTS ("
        "SELECT 1 FROM orders AS other WHERE other.idempotency_key = orders.idempotency_key "
        "AND (other.status <> 'cancelled' OR other.id < orders.id))"
    )
    op.drop_index(INDEX, table_name="orders")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("orders") as batch_op:
            batch_op.create_unique_constraint("uq_orders_idempotency_key", ["idempotency_key"])
    else:
        op.create_unique_constraint(POSTGRES_NAME, "orders", ["idempotency_key"])
