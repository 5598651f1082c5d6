"""The session's buttons: their actions and packed data, and the steps (phases) they name."""

from __future__ import annotations

from bot.domain.choices import Reason
from bot.handlers import callback_data as cd
from bot.storage.repository import SessionState

PREFIX = cd.SESSION
START, READY, DONE, HURTS, SKIP, PAIN = "go", "ready", "done", "hurts", "skip", "pain"
CONTINUE, RESTART, LEVEL_UP, STAY = "cont", "new", "lvl", "stay"
CLEARED, GENTLE, REST = cd.CLEARED, cd.GENTLE, cd.REST
URGENT_CLEARED = cd.URGENT_CLEARED
UNDO, NOT_FOR_ME = cd.UNDO, cd.NOT_FOR_ME
# "Not for me": the reasons in the order their buttons show, then "keep it".
REASONS = tuple(Reason)
KEEP = len(REASONS)


# The steps of each exercise, in order.
CARD, HOLDING, ANSWER, PAIN_PHASE, END = "card", "holding", "answer", "pain", "end"


def button_data(action: str, state: SessionState, *extra: object) -> str:
    value = ".".join(str(v) for v in (state.id, state.position, state.side, *extra))
    return cd.pack(PREFIX, action, value)


def parse_data(value: str) -> list[int] | None:
    try:
        return [int(part) for part in value.split(".")]
    except ValueError:
        return None
