"""The repository: the only code that reads and writes the database; each call is one short
transaction.

Split by aggregate into package-private modules, one mixin each: `_people` (users, pain,
progress, export and erasure), `_sessions` (training sessions and answers) with
`_session_cards` (the message showing a session's card), `_reminders` (claims and settling),
`_media` (the file-id cache) and `_streaks` (streak days), over `_base` (the engine and
transactions, statuses, dataclasses, shared helpers). Import from here.
"""

from __future__ import annotations

from bot.storage._base import (
    ACTIVE,
    BLOCKED,
    CLAIM_LEASE,
    CLAIMED,
    DAILY,
    FAILED,
    FINISHED,
    GUIDED,
    HEALTH_CHECK_SECONDS,
    PROBE_BYTES_SQLITE,
    REPORTED,
    RETRY,
    SCHEDULE_FIELDS,
    SENT,
    SKIPPED,
    SNOOZED,
    STOPPED,
    USER_FIELDS,
    AnswerRecord,
    DueReminder,
    ReminderInputs,
    SessionState,
)
from bot.storage._media import MediaMixin
from bot.storage._people import PeopleMixin
from bot.storage._reminders import CHUNK, RemindersMixin
from bot.storage._session_cards import SessionCardsMixin
from bot.storage._sessions import SessionsMixin
from bot.storage._streaks import StreaksMixin

__all__ = [
    "ACTIVE",
    "BLOCKED",
    "CHUNK",
    "CLAIMED",
    "CLAIM_LEASE",
    "DAILY",
    "FAILED",
    "FINISHED",
    "GUIDED",
    "HEALTH_CHECK_SECONDS",
    "PROBE_BYTES_SQLITE",
    "REPORTED",
    "RETRY",
    "SCHEDULE_FIELDS",
    "SENT",
    "SKIPPED",
    "SNOOZED",
    "STOPPED",
    "USER_FIELDS",
    "AnswerRecord",
    "DueReminder",
    "ReminderInputs",
    "Repository",
    "SessionState",
]


class Repository(
    PeopleMixin, SessionsMixin, SessionCardsMixin, RemindersMixin, MediaMixin, StreaksMixin
):
    """Typed reads and writes over the models; no SQL anywhere else."""
