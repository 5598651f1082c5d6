"""language per person, and a partial index for reclaiming lost reminder claims

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 13:20:00

`users.language`: the language the person reads (a gettext locale such as "ru" or "pt_BR");
NULL until chosen, when their Telegram `language_code` decides.

`ix_reminder_log_claimed`: only rows still `claimed` (a handful at any moment) are indexed,
so reclaiming lost claims stays a lookup however many days of rows the table holds, even
after SQLite has statistics that would otherwise favour a full scan.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=16), nullable=True))
    op.create_index(
        "ix_reminder_log_claimed",
        "reminder_log",
        ["claimed_at"],
        unique=False,
        sqlite_where=sa.text("status = 'claimed'"),
        postgresql_where=sa.text("status = 'claimed'"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_reminder_log_claimed", table_name="reminder_log")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
