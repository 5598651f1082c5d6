"""inbox: how many messages each update's handlers had sent (the send journal)

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 13:55:00

Before each message an update's handlers send, the count is stored; an update handled again
after a crash skips that many sends, so nothing that may have reached the person comes twice
(bot/intake.py, SendJournal). 0011 is left to the Mini App's schema, if it needs one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sends", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.drop_column("sends")
