"""A reminder's words and buttons: the one place they are chosen.

The fan-out (bot/handlers/reminder_fanout.py) sends them; the reminder buttons
(bot/handlers/reminders.py) answer with them and read the buttons' data back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot import texts
from bot.domain.reminders import Morning
from bot.domain.routine import RoutineItem, estimated_minutes
from bot.domain.schedule import day_part
from bot.domain.timezones import zone
from bot.handlers import callback_data as cd

PREFIX = cd.REMINDER
TIME = "time"
REPORT_DONE, REPORT_HURTS, SNOOZE_ACTION, SKIP_TODAY, MORNING = "done", "hurt", "snz", "skip", "am"


def day_value(day: date) -> str:
    """The day as a reminder's buttons carry it: one from another day is stale."""
    return day.strftime("%Y%m%d")


# Button rows of (label, callback data).
Rows = list[list[tuple[str, str]]]


def reminder_message(
    routine: Sequence[RoutineItem], day: date, *, snoozed: bool, missed: bool
) -> tuple[str, Rows | None]:
    """The reminder itself: what today holds, with its five buttons (text, button rows).

    In the current language (bot.i18n): the one place a reminder's words are chosen.
    """
    if not routine:
        return texts.REMINDER_NOTHING_TODAY, None
    minutes = estimated_minutes(routine)
    if snoozed:
        template = texts.REMINDER_SNOOZED
    elif missed:
        template = texts.REMINDER_AFTER_MISSED
    else:
        template = texts.REMINDER
    text = template.format(exercises=texts.exercises(len(routine)), minutes=texts.minutes(minutes))
    value = day_value(day)
    rows = [
        [(texts.START_NOW, cd.pack(cd.SESSION, cd.START_SESSION))],
        [
            (texts.DONE_ALREADY, cd.pack(PREFIX, REPORT_DONE, value)),
            (texts.IT_HURTS, cd.pack(PREFIX, REPORT_HURTS, value)),
        ],
        [
            (texts.SNOOZE, cd.pack(PREFIX, SNOOZE_ACTION, value)),
            (texts.SKIP_TODAY, cd.pack(PREFIX, SKIP_TODAY, value)),
        ],
    ]
    return text, rows


def morning_check(day: date, timezone: str, now: datetime) -> tuple[str, Rows]:
    """Something hurt last time: how is the back, before today's reminder (text, buttons)."""
    value = day_value(day)
    rows = [
        [
            (texts.BETTER, cd.pack(PREFIX, MORNING, f"{value}.{Morning.BETTER}")),
            (texts.SAME, cd.pack(PREFIX, MORNING, f"{value}.{Morning.SAME}")),
            (texts.WORSE, cd.pack(PREFIX, MORNING, f"{value}.{Morning.WORSE}")),
        ]
    ]
    local = now.astimezone(zone(timezone))
    return texts.BACK_CHECK[day_part(local.time())], rows
