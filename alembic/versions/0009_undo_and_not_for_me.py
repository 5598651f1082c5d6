"""undo and not for me: an answer's undo data, and exercises set aside

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 11:00:00

`exercise_results.undo` keeps, as JSON, what an Undo restores while the session is open (the
exercise's progress before the answer and the session's routine before it).
`exercise_progress.set_aside` is why the person said an exercise is "not for me"; NULL while
it is in their routine.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add the two nullable columns."""
    with op.batch_alter_table("exercise_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("undo", sa.String(length=1024), nullable=True))
    with op.batch_alter_table("exercise_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_aside", sa.String(length=16), nullable=True))


def downgrade() -> None:
    """Drop them: exercises set aside come back into the routine."""
    with op.batch_alter_table("exercise_progress", schema=None) as batch_op:
        batch_op.drop_column("set_aside")
    with op.batch_alter_table("exercise_results", schema=None) as batch_op:
        batch_op.drop_column("undo")
