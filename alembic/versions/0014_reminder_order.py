"""users: the order of people due at the same instant changes every day (reminder_order)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 12:00:00

Thousands of people pick the same minute, and at Telegram's 30 messages/s their reminders take
minutes to go out. Due people were claimed in the order of `ix_users_next_reminder_at`, which
breaks ties by row (the user id): the same people came last every day. Each claim now stores
a hash of (person, local day) for the person's next reminder (`bot.domain.reminders
.fanout_order`), and the index the claim reads is (next_reminder_at, reminder_order, id): the
order comes off the index, with no sort of everyone due. Existing rows start at 0, so until
their next claim they keep the old order (by id).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_order", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.drop_index("ix_users_next_reminder_at")
        batch_op.create_index(
            "ix_users_reminder_queue", ["next_reminder_at", "reminder_order", "id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_reminder_queue")
        batch_op.create_index("ix_users_next_reminder_at", ["next_reminder_at"], unique=False)
        batch_op.drop_column("reminder_order")
