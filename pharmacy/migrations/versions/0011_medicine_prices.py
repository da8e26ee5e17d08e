"""medicine_prices: the price of a fill of each medicine, in the database rather than in the demo
data's catalogue; an existing install keeps the prices its orders were last charged

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 01:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "medicine_prices",
        sa.Column("medicine_id", sa.String(length=64), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.CheckConstraint("price_cents >= 0", name="ck_medicine_price_not_negative"),
        sa.PrimaryKeyConstraint("medicine_id"),
    )
    # Until now refill orders were priced from the demo catalogue, and every order item carries
    # the price it was charged: each medicine's latest one is its price (none ordered: unknown).
    op.execute(
        """
        INSERT INTO medicine_prices (medicine_id, price_cents)
        SELECT p.medicine_id, i.price_cents
        FROM order_items i JOIN prescriptions p ON p.id = i.prescription_id
        WHERE i.id = (
            SELECT max(i2.id)
            FROM order_items i2 JOIN prescriptions p2 ON p2.id = i2.prescription_id
            WHERE p2.medicine_id = p.medicine_id
              AND i2.price_cents IS NOT NULL AND i2.price_cents >= 0
        )
        """
    )


def downgrade() -> None:
    op.drop_table("medicine_prices")
