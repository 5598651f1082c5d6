"""consent on record: set-up people with no consent are asked for it again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:20:00

Anyone set up before 0004, or whose consent was dropped by a downgrade of 0004, has no consent
on record. Until they give it, they are back at onboarding's consent step: nothing about their
health is stored, no reminder is sent, and their next message asks for consent first. Their
time zone, reminder time and progress are kept, so a yes puts them straight back where they
were.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Send set-up people without consent on record back to the consent step."""
    # A session of theirs in progress stops too: its answers would be health data.
    op.execute(
        sa.text(
            "UPDATE training_sessions SET status = 'stopped', phase = 'closed' "
            "WHERE status = 'active' AND user_id IN (SELECT id FROM users "
            "WHERE consented_at IS NULL AND onboarding_step NOT IN "
            "('red_flags', 'see_doctor', 'consent'))"
        )
    )
    op.execute(
        sa.text(
            "UPDATE users SET onboarding_step = 'consent', next_reminder_at = NULL, "
            "snooze_until = NULL, report_step = NULL, report_pain = NULL "
            "WHERE consented_at IS NULL AND onboarding_step NOT IN "
            "('red_flags', 'see_doctor', 'consent')"
        )
    )


def downgrade() -> None:
    """Nothing to undo: a person asked again simply answers again."""
