"""inbox: what Telegram answered each update's sends (the send journal's messages)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:00:00

`update_inbox.sent_messages` keeps, as JSON by send number, the id, date and chat of each
message an update's handlers sent, written with the next count the journal stores. An update
handled again after a crash hands its handlers these messages instead of stand-ins with no
id, so a countdown or a choice it edits is the one the person already sees (bot/journal.py).
NULL until a send's answer is stored; dropping it leaves the counts, as 0012 had them.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_messages", sa.Text(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("update_inbox", schema=None) as batch_op:
        batch_op.drop_column("sent_messages")
