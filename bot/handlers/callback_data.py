"""Short callback data, routed by prefix: "<prefix>:<action>[:<value>]".

Telegram allows 64 bytes of callback data. Nothing but the prefix, an action and a
small value ever goes in; state lives in the database, so after a restart a button still
means the same thing, and one whose question was answered is recognised as stale.
"""

from __future__ import annotations

ONBOARDING = "ob"
SESSION = "se"
REMINDER = "rm"
REPORT = "rp"
PRIVACY = "pv"
GENERAL = "gn"
ROUTINE = "rt"
LANGUAGE = "lg"

# General actions: buttons under a reply the bot could not place.
STATS, HELP = "stats", "help"

# Session actions used outside the session flow.
START_SESSION = "go"
# Answers to a red-flag hold, and a lighter day (session prefix; they carry no session).
CLEARED, GENTLE, REST = "clr", "gentle", "rest"
URGENT_CLEARED, DOCTOR_OK = "u", "s"
# Undo an answer and "not for me" on a card (session prefix, carrying the session id and
# position); bring back an exercise set aside (routine prefix, carrying its id).
UNDO, NOT_FOR_ME, BRING_BACK = "undo", "nfm", "back"

# Onboarding actions.
RED_FLAG = "rf"
SEE_DOCTOR = "sd"
CONSENT = "cs"
PAIN = "pain"
REMINDER_TIME = "time"

# Time zone actions (onboarding and reminder prefixes): a place offered for a name several
# places share carries its IANA zone; NAME_CITY asks for a city instead of a fixed offset.
TIMEZONE_CHOICE = "tz"
NAME_CITY = "city"


def pack(prefix: str, action: str, value: str = "") -> str:
    """Callback data for a button."""
    data = f"{prefix}:{action}:{value}" if value else f"{prefix}:{action}"
    if len(data.encode()) > 64:
        raise ValueError("callback data longer than Telegram allows")
    return data


def unpack(data: str | None) -> tuple[str, str, str]:
    """(prefix, action, value) from callback data; empty strings where parts are missing."""
    prefix, _, rest = (data or "").partition(":")
    action, _, value = rest.partition(":")
    return prefix, action, value


def pattern(prefix: str) -> str:
    """The CallbackQueryHandler pattern for one prefix."""
    return rf"^{prefix}:"
