"""update inbox: every update is kept from before it is acknowledged until it was handled

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 10:40:00

Polling confirms an update to Telegram with the next getUpdates, and a webhook with its 200;
from then on Telegram never sends it again. The bot now stores each update here first, and
marks it done once its handlers finished, so a crash or a stop loses nothing: what is not done
is handled at the next start. Done rows are pruned after a day.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the inbox."""
    op.create_table(
        "update_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_update_inbox")),
    )
    op.create_index(op.f("ix_update_inbox_person_id"), "update_inbox", ["person_id"], unique=False)
    op.create_index(op.f("ix_update_inbox_done_at"), "update_inbox", ["done_at"], unique=False)


def downgrade() -> None:
    """Drop the inbox (updates not yet handled are lost with it)."""
    op.drop_index(op.f("ix_update_inbox_done_at"), table_name="update_inbox")
    op.drop_index(op.f("ix_update_inbox_person_id"), table_name="update_inbox")
    op.drop_table("update_inbox")
