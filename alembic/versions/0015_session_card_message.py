"""training sessions: the message showing the current card (card_message_id, card_position)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 13:00:00

Each card the bot sends is kept as (message id, the position it shows), so an Undo that moves
the session back can take the buttons off the card that is no longer current
(bot/handlers/session_changes.py). NULL until a card is shown; dropping them only leaves that
card's buttons in place, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("card_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_column("card_position")
        batch_op.drop_column("card_message_id")
