"""streak days: local days that neither count for the streak nor break it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:55:00

A day the coach told the person to rest (pain above 5, a worse morning, an urgent red flag
until a doctor checked them) and a paused day freeze the streak. Each is kept as a row keyed by
(person, local day, why), written when the day is marked; a pause or hold marks its first day,
and the rest of its days when it ends. Days before this revision have no marks: a pause or hold
under way now freezes days from the first time it is marked (its end marks at least that day).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create streak_days."""
    op.create_table(
        "streak_days",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_streak_days_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "local_date", "kind", name=op.f("pk_streak_days")),
    )


def downgrade() -> None:
    """Drop streak_days."""
    op.drop_table("streak_days")
