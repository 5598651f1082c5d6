"""The message that shows a session's current card: kept as it is sent, so an Undo that moves
the session back can take the buttons off the card that is no longer current."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.storage._base import RepositoryBase
from bot.storage.models import TrainingSession


class SessionCardsMixin(RepositoryBase):
    """Which message shows which card of a session."""

    async def card_shown(self, session_id: int, position: int, message_id: int) -> None:
        """The card of `position` is shown in this message (kept only while the session is
        still at that position: a card sent late never stands for a newer one)."""
        async with self._writing() as session:
            await session.execute(
                update(TrainingSession)
                .where(TrainingSession.id == session_id, TrainingSession.position == position)
                .values(card_message_id=message_id, card_position=position)
                .execution_options(synchronize_session=False)
            )

    async def take_card(self, session_id: int, position: int) -> int | None:
        """The message showing the card of `position`, forgotten as it is returned: its
        buttons are taken away once, never twice. None when another card was shown last."""
        async with self._writing() as session:
            row = (
                await session.execute(
                    select(TrainingSession.card_message_id, TrainingSession.card_position).where(
                        TrainingSession.id == session_id
                    )
                )
            ).first()
            if row is None or row.card_message_id is None or row.card_position != position:
                return None
            await session.execute(
                update(TrainingSession)
                .where(TrainingSession.id == session_id)
                .values(card_message_id=None, card_position=None)
                .execution_options(synchronize_session=False)
            )
            return row.card_message_id
