"""Every word the bot says to a person, in one place."""

from __future__ import annotations

from datetime import datetime, time, tzinfo

from babel import Locale
from babel.dates import format_date, format_time

from bot.domain.progression import Change, ChangeKind, PainBand

# The language of every text here; plurals and dates follow its rules.
LOCALE = Locale("en")

# Button labels -------------------------------------------------------------

YES_ONE_APPLIES = "Yes, one of these"
NO_NONE_APPLY = "No, none of these"
CHECKED_BY_DOCTOR = "A doctor has checked me"
DOCTOR_SAYS_OK = "A doctor says I can exercise"
SHARE_LOCATION = "📍 Share my location"

# Onboarding ----------------------------------------------------------------

WELCOME = (
    "Hi, I'm backcoach. I'll guide you through a short home exercise routine for low back "
    "pain, one exercise at a time, and time every hold for you. I'll remind you once a day "
    "at a time you choose, keep your streak, and adjust each exercise to how your back "
    "feels.\n\n"
    "Please note: I give exercise guidance only. I am not a doctor and this is not a "
    "diagnosis. If your pain is severe, new, or getting worse, see a doctor or "
    "physiotherapist."
)

WELCOME_BACK_ONBOARDING = "Welcome back. Let's carry on where we left off."

RED_FLAG_QUESTION = (
    "First, a quick safety check. Do you have any of these right now?\n"
    "• numbness between your legs, around your bottom or inner thighs\n"
    "• new trouble controlling your bladder or bowel\n"
    "• weakness in a leg that is getting worse"
)

URGENT_ADVICE = (
    "⚠️ Please get medical help today: go to an emergency department or call your local "
    "emergency number. These signs can mean a nerve in your lower back is being squeezed, "
    "and that needs checking quickly.\n\n"
    "Please don't start these exercises until a doctor has checked you. When they have, "
    "come back and press the button below."
)

SEE_DOCTOR_QUESTION = (
    "Thank you. And do any of these apply to you?\n"
    "• a fever\n"
    "• a history of cancer\n"
    "• weight loss you can't explain\n"
    "• a recent serious fall or accident"
)

SEE_DOCTOR_ADVICE = (
    "Please see a doctor before you start, so they can rule out anything that needs "
    "other treatment. When they say exercise is fine for you, press the button below and "
    "we'll begin."
)

CONSENT_QUESTION = (
    "One more thing before we start. To coach you I need to keep some health information:\n"
    "• the pain scores you give me (0-10) and which exercise hurt\n"
    "• your answers and hold times for each exercise, and the days you exercise\n"
    "• your time zone and reminder time\n\n"
    "I use them only to adjust your routine, remind you and keep your streak. They are never "
    "shared, and I never log what you type. /export sends you all of it, and /delete erases "
    "it. Is that OK?"
)
CONSENT_YES = "Yes, that's OK"
CONSENT_NO = "No"
CONSENT_DECLINED = (
    "That's fine. Without it I can't coach you, so I'll stop here and keep nothing else. "
    "If you change your mind, send /start. /delete erases the little I have (your Telegram id)."
)
CONSENT_NEEDED = "First, please tell me whether I may keep your health information."

PAIN_QUESTION = (
    "How much does your back hurt today? Pick a number from 0 (no pain) to 10 (the worst "
    "pain you can imagine)."
)

PAIN_TOO_HIGH_TODAY = (
    "That is a lot of pain. Please don't start the exercises today. If it doesn't ease in "
    "a day or two, or it keeps you awake at night, see a doctor or physiotherapist.\n\n"
    "When it feels better, send /start and we'll carry on from here."
)

PAIN_NOTED = "Thanks, noted: {pain} out of 10."

TIMEZONE_QUESTION = (
    "Which time zone are you in? I use it to remind you at your own time.\n"
    "Type a city (Berlin), a zone name (America/New_York) or an offset (UTC+2), "
    "or press the button to share your location."
)

TIMEZONE_NOT_FOUND = (
    "I couldn't find that time zone. Try a city like London, a zone name like "
    "America/New_York, or an offset like UTC-5."
)

LOCATION_NOT_FOUND = (
    "I couldn't work out a time zone from that location. Please type a city or an offset "
    "like UTC+2 instead."
)

TIMEZONE_SET = "Time zone set: {zone}."

REMINDER_QUESTION = (
    "What time should I remind you each day? Pick one below or type a time, "
    "like 7:30, 19:30 or 7.30 pm."
)

TIME_NOT_UNDERSTOOD = "I couldn't read that as a time. Try 7:30, 19:30 or 7.30 pm."

# Times and places typed the way people say them (a bare hour, a shared city name, an offset).
TIME_MORNING_OR_EVENING = "{morning} in the morning or {evening}?"
PLACE_CHOICES = "Which {name} do you mean? Pick one, or type another place."
FIXED_OFFSET_NOTE = (
    "{zone} is a fixed offset: it doesn't follow summer time. "
    "If your clocks change in summer, name your city instead."
)
NAME_A_CITY = "Name a city instead"
ASK_CITY = "Which city are you in, or near? Type its name, in any language."
ASK_CITY_COMMAND = (
    "Which city are you in, or near? Send /timezone and its name, for example /timezone Lisbon."
)


def spoken_clock_time(value: time) -> str:
    """A time of day as said in a question: 7:00, 19:45."""
    return f"{value.hour}:{value.minute:02d}"


def place_label(name: str, region: str, country: str) -> str:
    """A place on a button: "Portland, Oregon, United States", "Hamilton, New Zealand"."""
    return ", ".join(part for part in (name, region, country) if part)


REMINDER_SET = "I'll remind you every day at {time} your time."

ONBOARDING_DONE = (
    "You're all set. {reminder}\n\n"
    "Press the button below for your first session, or send /session any time.\n\n"
    "You can change your time zone with /timezone and your reminder time with /remind. "
    "/help lists everything I can do."
)

WELCOME_BACK = (
    "Welcome back! Your progress and settings are kept.\n"
    "Time zone: {zone}\nDaily reminder: {time}\n\n/help lists everything I can do."
)

STALE_BUTTON = "That question has already been answered."

FINISH_SETUP_FIRST = "Let's finish setting up first."

NOT_UNDERSTOOD = "Sorry, I didn't catch that. /help lists what I can do."
NOT_PLACED = "I'm not sure what you mean. Here's what I can do:"
MEDICAL_QUESTION = (
    "That's a good question, but I can't answer medical questions: I only coach the exercises. "
    "Your GP, a physiotherapist or a pharmacist can. Here's what I can do:"
)
MY_PROGRESS = "📊 My progress"
HELP_BUTTON = "❓ Help"

# When a reply fails: nothing here claims anything was saved, since it may not have been.
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."
NOT_SAVED_TRY_LATER = (
    "Sorry, I couldn't save that just now, so it isn't recorded. Please try again in a few minutes."
)
BUSY_TRY_AGAIN = "I'm busy right now, please try again in a minute."

CONSENT_THANKS_RETURNING = (
    "Thank you. Everything else is as you left it: your routine, holds and reminder time. "
    "Send /session whenever you're ready."
)
FORWARDED_NOT_AN_ANSWER = (
    "I only take answers you type yourself, so I've left that forwarded message alone."
)

# Settings commands -------------------------------------------------------------

TIMEZONE_CURRENT = (
    "Your time zone is {zone}. To change it, send it after the command, for example "
    "/timezone Europe/London, /timezone Tokyo or /timezone UTC-5."
)

REMIND_CURRENT = (
    "I remind you every day at {time}. To change it, send a time after the command, "
    "for example /remind 7:30 or /remind 19:30."
)

NOT_SET = "not set yet"

# Safety --------------------------------------------------------------------------

SAFETY_URGENT = (
    "⚠️ What you describe can be a sign that a nerve in your lower back is being "
    "squeezed. Please get medical help today: go to an emergency department or call your "
    "local emergency number. Don't do these exercises until a doctor has checked you."
)

SAFETY_REMINDERS_PAUSED = (
    "I've paused your daily reminders and the exercises until a doctor has checked you. When "
    "they have, send /session and tell me."
)
SESSION_HELD_URGENT = (
    "Your exercises and reminders are on hold until a doctor has checked the signs you told "
    "me about. If you haven't been checked yet, please get medical help today. When a doctor "
    "has checked you, press the button below."
)
HOLD_CLEARED = (
    "Thank you, and I'm glad you've been checked. Your exercises and daily reminders are back "
    "on. Take it gently: send /session when you're ready."
)
SEE_DOCTOR_BEFORE_SESSION = (
    "Before we exercise: you mentioned something a doctor should check. Has a doctor seen you "
    "and said exercise is fine? If not yet, you can do a gentle day (just the easy stretches) "
    "or rest today."
)
GENTLE_DAY = "Gentle stretches only"
REST_TODAY = "Rest today"
RESTING_TODAY = (
    "Rest is fine today. Move around gently as you can; lying still for long tends to make "
    "backs stiffer. I'll check in again tomorrow."
)
WORSE_DAY_OFFER = (
    "Sorry your back is worse today. Let's keep it light: just the gentle stretches "
    "({names}) at today's holds, or rest. Both are fine, and your holds stay where they were."
)

SAFETY_SEE_DOCTOR = (
    "Thank you for telling me. With that, please see a doctor before you carry on with "
    "these exercises, so they can rule out anything that needs other treatment."
)

# Privacy -------------------------------------------------------------------------

PRIVACY = (
    "What I keep, and why:\n"
    "• your Telegram user id and chat id, to talk to you\n"
    "• your time zone and reminder time, to remind you at your own time\n"
    "• the pain scores you give me and which exercise hurt, your answers and hold times, and "
    "the days you exercise, to adjust your routine and keep your streak\n\n"
    "Nothing is shared with anyone. I never log what you type, or your name.\n"
    "/export sends you everything I keep about you as a file. /delete erases all of it."
)
EXPORT_CAPTION = "Everything I keep about you."
EXPORT_FILENAME = "backcoach-my-data.json"
NOTHING_KEPT = "I keep nothing about you."
DELETE_QUESTION = (
    "This erases everything I keep about you: settings, sessions, holds, pain scores and "
    "reminders. It can't be undone. Delete it all?"
)
DELETE_YES = "Yes, delete everything"
DELETE_NO = "No, keep it"
DELETED = (
    "Done: everything I kept about you is erased. Send /start if you ever want to begin again."
)
DELETE_CANCELLED = "Nothing was deleted."

# Groups ----------------------------------------------------------------------------

GROUP_PRIVATE_ONLY = (
    "Hi! I coach a personal back exercise routine, so I only work in a private chat. "
    "Talk to me here: {link}"
)

# Help --------------------------------------------------------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("session", "Start today's exercises"),
    ("stats", "Your sessions, streak and holds"),
    ("progress", "A chart of your holds, pain and session days"),
    ("pdf", "Your routine as a printable PDF"),
    ("summary", "A summary to show your GP or physiotherapist"),
    ("stop", "End the session in progress"),
    ("routine", "Today's exercises, and bring back one you set aside"),
    ("start", "Set up, or see your settings"),
    ("timezone", "Change your time zone"),
    ("remind", "Change your daily reminder time"),
    ("reminders", "Your reminder and when the next one comes"),
    ("pause", "Pause the daily reminders"),
    ("resume", "Turn the daily reminders back on"),
    ("privacy", "What I keep about you, and why"),
    ("export", "All your data as a file"),
    ("delete", "Erase everything I keep about you"),
    ("help", "What I can do"),
)

HELP = (
    "I coach a short daily routine for low back pain.\n\n"
    + "\n".join(f"/{name} — {description}" for name, description in COMMANDS)
    + '\n\nDid the routine on your own? Just tell me "done". Something hurts? Tell me '
    "\"hurts\" and I'll ease tomorrow's routine."
    + "\n\nI give exercise guidance only; I am not a doctor and this is not a diagnosis."
)

# The bot's profile (set at start) and the deep-link code ---------------------------------

# Shown in the empty chat before the person presses Start (at most 512 characters).
BOT_DESCRIPTION = (
    "I coach a short daily home exercise routine for low back pain: one exercise at a time, "
    "every hold timed, a reminder once a day at your time, your streak, and holds that adapt "
    "to how your back feels.\n\n"
    "I give exercise guidance only. I am not a doctor and this is not a diagnosis. If your "
    "pain is severe, new or getting worse, or you have numbness or weakness, see a doctor.\n\n"
    "Press Start to begin."
)
# On the bot's profile page and with a shared link (at most 120 characters).
BOT_SHORT_DESCRIPTION = (
    "A short daily exercise routine for low back pain, every hold timed. Guidance only, "
    "not a diagnosis."
)
# The menu of private chats: the everyday commands; /help lists all of COMMANDS.
MENU_COMMANDS: tuple[str, ...] = ("session", "stop", "stats", "progress", "help")
# /start with a code from a link (t.me/<bot>?start=pt_ABC), e.g. a clinic's or physio's.
START_CODE_KEPT = "I've noted the code {code} from your link; it is shown in your /summary."
SUMMARY_START_CODE = "Clinic or referral code (from the link they started with): {code}"


def clock_time(value: time) -> str:
    """A time of day as people read it in the bot: 07:30."""
    return value.strftime("%H:%M")


def chose(question: str, answer: str) -> str:
    """A question edited to show the answer given, so the chat reads as a record."""
    return f"{question}\n\n→ {answer}"


# Undo, "not for me" and /routine ------------------------------------------------

UNDO = "↩️ Undo"
NOT_FOR_ME = "🚫 Not for me"
NOT_FOR_ME_QUESTION = (
    "{name} not for you? Tell me why, and I'll take it out of your routine. "
    "You can bring it back any time with /routine."
)
# One label per reason (bot/domain/choices.py's Reason, in its order), and how /routine says it.
REASON_KNEEL = "Can't kneel"
REASON_SPACE = "No floor space"
REASON_HURTS = "It always hurts"
REASON_OTHER = "Another reason"
REASON_LABELS = (REASON_KNEEL, REASON_SPACE, REASON_HURTS, REASON_OTHER)
REASON_SHORT = {
    "kneel": "can't kneel",
    "space": "no floor space",
    "hurts": "it always hurts",
    "other": "not for you",
}
KEEP_IT = "Keep it"
SET_ASIDE_DONE = "{name} is out of your routine."
SET_ASIDE_HARDER = "{names} build{s} on it, so {they} stay{s2} out too."
SET_ASIDE_INSTEAD = "From your next session, {replacement} takes its place."
SET_ASIDE_EASIER_STAYS = "{easier}, its easier version, stays in your routine."
SET_ASIDE_NOTHING_NEW = "Your routine goes on without it: the others do the same job."
SET_ASIDE_BACK_HINT = "Changed your mind? /routine brings it back."
SET_ASIDE_NOTHING_LEFT = "That was the only exercise left today, so the session is over."

ROUTINE_TODAY = "Your routine today:"
ROUTINE_NOTHING_TODAY = "Nothing is planned for today: rest."
ROUTINE_LINE = "{number}. {name}: {hold}"
ROUTINE_SET_ASIDE = "Set aside (not for you). Bring one back and it is in your next routine:"
ROUTINE_SET_ASIDE_LINE = "• {name} ({reason})"
ROUTINE_RESTING = "Resting after pain. These come back by themselves once your back allows:"
ROUTINE_RESTING_LINE = "• {name}"
BRING_BACK = "↩️ Bring back {name}"
BROUGHT_BACK = "{name} is back: it is in your next routine."


def hold_text(seconds: int, *, each_side: bool) -> str:
    """A hold as a card and /routine show it: "15 s", "10 s each side"."""
    return f"{seconds} s each side" if each_side else f"{seconds} s"


def set_aside_harder(names: list[str]) -> str:
    """The harder variants that leave with an exercise set aside."""
    many = len(names) > 1
    return SET_ASIDE_HARDER.format(
        names=" and ".join(names),
        s="" if many else "s",
        they="they" if many else "it",
        s2="" if many else "s",
    )


# Guided session -----------------------------------------------------------------

START_SESSION = "▶️ Start today's session"
READY = "Ready"
SKIP_EXERCISE = "Skip this one"
DONE = "✅ Done"
HURTS = "😣 Hurts"
SKIP = "Skip"
STOP = "Stop"
CONTINUE = "Continue where I left off"
START_OVER = "Start again from the top"
LEVEL_UP = "Move up to level {level}"
STAY = "Stay at level {level}"

SIDE_NAMES = {"left": "left side", "right": "right side"}

SESSION_INTRO = (
    "Today's session: {exercises}, about {minutes}. I'll show each one, you "
    "press Ready when you're in position, and I'll count the hold for you. Type stop at any "
    "time to end; what you've done is kept."
)
SESSION_EMPTY = (
    "There's nothing in today's routine: the exercises that hurt are resting. Take it easy "
    "today and try again tomorrow."
)
SESSION_NEEDS_SETUP = "Let's finish setting up first: send /start."
SESSION_HELD = (
    "Your programme is on hold until a doctor has checked you. Send /start when they have."
)
CONTINUE_OFFER = "You have a session in progress ({done} of {total} done). Carry on?"

CARD = (
    "<b>{position} of {total} · {name}</b>\n\n"
    "<b>Start:</b> {start}\n\n{steps}\n\n"
    "<b>Hold:</b> {hold}\n<i>Why it helps:</i> {purpose}"
)
CARD_CAUTION = "\n\n⚠️ {caution}"
CARD_READY_HINT = "Press Ready when you're in position."

GET_READY = "{side}Get ready… {seconds}"
HOLD_COUNTDOWN = "{side}Hold… {seconds} s"
HOLD_RELEASE = "{side}Release."
HOLD_REST = "{side}Release. Rest a moment, then switch to your {next_side}."
ANSWER_QUESTION = "How did {name} go?"
PAIN_IN_SESSION = "How much did it hurt, from 0 (not at all) to 10 (the worst)?"

CHANGE_GREW = "{name}: {new} s next time, up from {old} s."
CHANGE_KEPT = "{name}: staying at {new} s next time."
CHANGE_KEPT_AT_TOP = "{name}: {new} s, the full hold. Well done."
CHANGE_KEPT_STEADY = "{name}: staying at {new} s today, while your back settles."
CHANGE_CUT = "{name}: {new} s next time, down from {old} s. Leave it for the rest of today."
CHANGE_KEPT_SORE = "{name}: staying at {new} s. Leave it for the rest of today."
CHANGE_REMOVED = (
    "{name} has hurt twice in a row, so I've taken it out of your routine for now. "
    "It comes back once your back is ready."
)
CHANGE_REMOVED_OFFER = " Its easier version, {easier}, stays in."
CHANGE_SKIPPED = "{name}: skipped."
RETURNED = "{name} is back in your routine."

PAIN_TOO_HIGH_SESSION = (
    "Let's stop here for today: pain that high means your back needs rest, not exercise. "
    "If it doesn't ease in a day or two, or it keeps getting worse, see a doctor or "
    "physiotherapist."
)
HARDER_OUT_TODAY_ONE = "{harder} is out of today's session, as {name} hurt."
HARDER_OUT_TODAY_MANY = "{harder} are out of today's session, as {name} hurt."
SAVED_TITLE = "What you did is saved."
CHECK_BEFORE_NEXT = "Before your next session I'll ask whether a doctor has checked you."

SESSION_HINT_CARD = "Press Ready when you're in position, or type stop to end the session."
SESSION_HINT_HOLDING = "Keep holding, I'm counting. Type stop to end the session."
SESSION_HINT_ANSWER = "Tell me how it went: done, hurts or skip (or stop to end)."
SESSION_HINT_PAIN = "Please send a number from 0 to 10."
STALE_SESSION_BUTTON = "That session has ended."
ALREADY_ANSWERED = "Already noted."

SESSION_SUMMARY = "{title}\n\n{lines}\n\n{streak}"
SESSION_FINISHED_TITLE = "🎉 Session complete."
SESSION_STOPPED_TITLE = "Session ended. What you did is saved."
SUMMARY_DONE = "Done: {done} of {total}."
SUMMARY_PAIN = "Pain reported: {items}."
SUMMARY_NO_PAIN = "No pain reported."


def streak(current: int, best: int, rested: int = 0) -> str:
    """The streak line of a summary: "Streak: 6 days, 1 rest day kept it (best 8 days)."."""
    return streak_line(current, best, rested) + "."


def plural(count: int, one: str, other: str) -> str:
    """`one` or `other` by the language's plural rule (Babel's CLDR data), with {count} filled.

    Never "s" if n != 1: a second language has other rules (Russian has three forms).
    """
    form = LOCALE.plural_form(count)
    return (one if form == "one" else other).format(count=count)


def exercises(count: int) -> str:
    """ "1 exercise", "4 exercises"."""
    return plural(count, "{count} exercise", "{count} exercises")


def minutes(count: int) -> str:
    """ "1 minute", "5 minutes"."""
    return plural(count, "{count} minute", "{count} minutes")


def days(count: int) -> str:
    """ "1 day", "3 days"."""
    return plural(count, "{count} day", "{count} days")


def weeks(count: int) -> str:
    """ "1 week", "3 weeks"."""
    return plural(count, "{count} week", "{count} weeks")


def summary_done(done: int, total: int) -> str:
    """How many exercises of a session were done (pain above 5 is not done)."""
    return SUMMARY_DONE.format(done=done, total=exercises(total))


def harder_out_today(harder: list[str], name: str) -> str:
    """The harder variants that leave today's session because their easier one hurt."""
    if len(harder) == 1:
        return HARDER_OUT_TODAY_ONE.format(harder=harder[0], name=name)
    listed = ", ".join(harder[:-1]) + " and " + harder[-1]
    return HARDER_OUT_TODAY_MANY.format(harder=listed, name=name)


def change_line(change: Change, name: str, *, easier: str | None = None) -> str:
    """One line on what an answer did to an exercise's hold."""
    values = {"name": name, "old": change.old_hold, "new": change.new_hold}
    if change.kind is ChangeKind.GREW:
        return CHANGE_GREW.format(**values)
    if change.kind is ChangeKind.CUT:
        return CHANGE_CUT.format(**values)
    if change.kind is ChangeKind.REMOVED:
        line = CHANGE_REMOVED.format(**values)
        return line + CHANGE_REMOVED_OFFER.format(easier=easier) if easier else line
    if change.kind is ChangeKind.KEPT and change.steady:
        return CHANGE_KEPT_STEADY.format(**values)
    if change.kind is ChangeKind.KEPT and change.rest_today:
        return CHANGE_KEPT_SORE.format(**values)
    if change.kind is ChangeKind.KEPT and change.band is PainBand.FINE:
        return CHANGE_KEPT_AT_TOP.format(**values)
    if change.kind is ChangeKind.KEPT:
        return CHANGE_KEPT.format(**values)
    return CHANGE_SKIPPED.format(**values)


NEXT_REMINDER = "Next reminder: {when}."

LEVEL_UP_OFFER = (
    "You've done every level {level} exercise at its full hold without pain twice in a row. "
    "Ready to add the level {next} exercises?"
)
LEVEL_UP_DONE = "Level {level} unlocked: the new exercises join your next session."
LEVEL_STAY = "Staying at level {level}. I'll ask again another time."

STATS = (
    "<b>Your progress</b>\nSessions finished: {sessions}\n{streak}\n<i>{rule}</i>\n"
    "Level: {level}\n\n{holds}"
)

STATS_HOLD = "{name}: {now} s (started at {start} s)"
STATS_NO_HOLDS = "No exercises done yet: send /session to start."
NO_SESSION = "There is no session in progress. Send /session to start one."

# The streak rule (issue 14, point 5) --------------------------------------------------

STREAK_LINE = "Streak: {current}{rested} (best {best})"
STREAK_DAYS = ("{count} day", "{count} days")
STREAK_RESTED = (", {count} rest day kept it", ", {count} rest days kept it")
STATS_STREAK_RULE = (
    "A day counts when you do at least one exercise, with me or on your own. Days I asked you "
    "to rest (pain above 5, a worse morning, a red flag until a doctor has checked you) and "
    "paused days neither count nor break your streak."
)
REPORT_REST_DAY = (
    "Noted. With that much pain, today is a rest day: it keeps your streak without adding to "
    "it. {streak}"
)


def _count(count: int, forms: tuple[str, str]) -> str:
    return plural(count, *forms)


def streak_line(current: int, best: int, rested: int = 0) -> str:
    """ "Streak: 1 day (best 1 day)", "Streak: 6 days, 2 rest days kept it (best 8 days)"."""
    return STREAK_LINE.format(
        current=_count(current, STREAK_DAYS),
        rested=_count(rested, STREAK_RESTED) if rested else "",
        best=_count(best, STREAK_DAYS),
    )


def local_when(instant: datetime, zone: tzinfo, now: datetime) -> str:
    """An instant as the person reads it in their zone: "today at 07:30", "Sat 28 Nov at 07:30".

    Dates come from Babel, not strftime, which follows the server's locale.
    """
    local = instant.astimezone(zone)
    ahead = (local.date() - now.astimezone(zone).date()).days
    at = format_time(local, "HH:mm", locale=LOCALE)
    if ahead == 0:
        return WHEN_TODAY.format(time=at)
    if ahead == 1:
        return WHEN_TOMORROW.format(time=at)
    return WHEN_DAY.format(day=format_date(local, "EEE d MMM", locale=LOCALE), time=at)


WHEN_TODAY = "today at {time}"
WHEN_TOMORROW = "tomorrow at {time}"
WHEN_DAY = "{day} at {time}"


# Reminders -------------------------------------------------------------------------

REMINDER = "Time for your back routine 🌿 Today: {exercises}, about {minutes}."
REMINDER_AFTER_MISSED = (
    "Hello again 🌿 Every day is a fresh start, and a few minutes today is what counts. "
    "Today: {exercises}, about {minutes}."
)
REMINDER_SNOOZED = "Here's your reminder again. Today: {exercises}, about {minutes}."
REMINDER_NOTHING_TODAY = (
    "Your exercises that hurt are resting today, so there's no routine for you. Take it easy."
)
START_NOW = "▶️ Start now"
DONE_ALREADY = "✅ Done already"
IT_HURTS = "😣 It hurts"
SNOOZE = "⏰ Snooze 30 min"
SKIP_TODAY = "Skip today"

SNOOZED = "OK, I'll remind you again {when}."
SNOOZE_PAST_MIDNIGHT = (
    "It's nearly midnight, so I won't bring today's reminder back. Rest well; "
    "the next one comes {when}."
)
SKIPPED_TODAY = "Rest day noted. See you {when}."
OLD_REMINDER = "That reminder is from another day."
REMINDER_SETTLED = "Today is already taken care of."

REMINDERS_ON = "Daily reminder: {time}, {zone}.\nNext one: {when}."
REMINDERS_PAUSED = (
    "Your daily reminders are paused. They come at {time}, {zone}; send /resume to turn them "
    "back on."
)
REMINDERS_NOT_SET = "You haven't set a reminder yet. Send /remind 7:30, for example."
PAUSED = "Reminders paused. Your progress is kept; send /resume to turn them back on."
ALREADY_PAUSED = "Your reminders are already paused. Send /resume to turn them back on."
RESUMED = "Reminders back on. Next one: {when}."
ALREADY_ON = "Your reminders are already on. Next one: {when}."
REMINDER_SET_NEXT = "I'll remind you every day at {time} your time. Next one: {when}."
WELCOME_BACK_UNBLOCKED = "Your daily reminders are back on."

# Answers outside a session ---------------------------------------------------------

ALL_WITHOUT_PAIN = "Well done! All of it, without pain?"
YES_ALL = "Yes, all of it"
SOME_OF_IT = "Some of it"
IT_HURT = "It hurt"
REPORT_PAIN = "I'm sorry it hurts. How much, from 0 (not at all) to 10 (the worst)?"
REPORT_WHICH = "Do you know which exercise hurt?"
NOT_SURE = "Not sure"
REPORT_HINT_CHECK = "Please tell me: all of it without pain, some of it, or did it hurt?"
REPORT_HINT_PAIN = "Please send a number from 0 to 10."
REPORT_HINT_WHICH = "Please pick the exercise from the buttons, or press Not sure."
ALREADY_COUNTED = "Today already counts: you've done your routine. Well done."
REPORT_COUNTED = "Counted for today. {streak}"
REPORT_COUNTED_SOME = (
    "Counted for today. Holds stay where they are until you do a whole session without "
    "pain. {streak}"
)
PAIN_REPORTED = "Noted: {pain} out of 10."
PAIN_NO_CHANGE = "Your routine stays as it is."
REST_AFTER_HIGH_PAIN = (
    "Thank you. After that much pain today, rest is the plan: nothing more to do today. "
    "I'll check in with you tomorrow."
)
PAIN_TOO_HIGH_REPORT = (
    "That is a lot of pain. Please rest your back today rather than exercise. If it doesn't "
    "ease in a day or two, keeps you awake at night, or keeps getting worse, see a doctor or "
    "physiotherapist."
)
REPORT_CANCELLED = "OK, never mind."

# The next morning --------------------------------------------------------------------

# The check before the first reminder after something hurt, greeting by the local hour.
BACK_CHECK = {
    "morning": "Good morning. How is your back compared with yesterday?",
    "afternoon": "Good afternoon. How is your back compared with yesterday?",
    "evening": "Good evening. How is your back compared with yesterday?",
    "night": "Hello. How is your back compared with yesterday?",
}
MORNING_CHECK = BACK_CHECK["morning"]
BETTER = "Better"
SAME = "Same"
WORSE = "Worse"
MORNING_BETTER = "Glad to hear it."
MORNING_SAME = "Thanks. We'll carry on as planned."
MORNING_PHYSIO = (
    "Your back has felt worse two days in a row. Please consider seeing a "
    "physiotherapist or doctor to check the routine suits you. Until then, keep it gentle."
)

# Pictures and documents ----------------------------------------------------------------

FIGURE_CAPTION = "{name}"
PROGRESS_CAPTION = "Your progress: holds, pain and session days. Streak: {streak}."
PDF_CAPTION = (
    "Your routine to print: your own holds, and a tick box for each day of the next two weeks."
)
PDF_FILENAME = "backcoach-routine-{day}.pdf"
NEEDS_SETUP_FOR_MEDIA = "Let's finish setting up first: send /start."

CHART_TITLE = ""
CHART_HOLDS_TITLE = "Hold per exercise"
CHART_HOLDS_AXIS = "seconds"
CHART_PAIN_TITLE = "Pain you reported"
CHART_PAIN_AXIS = "pain (0-10)"
CHART_PAIN_FINE = "fine"
CHART_PAIN_ACCEPTABLE = "acceptable"
CHART_PAIN_TOO_MUCH = "too much"
CHART_CALENDAR_TITLE = "Session days, last 8 weeks (streak: {streak})"
CHART_DATE_FORMAT = "%d %b"
CHART_NO_DATA = "Nothing yet: do a session and it shows here."
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

PDF_TITLE = "My back routine"
PDF_GENERATED = "Made on {date:%d %B %Y}"
PDF_HOLD = "Hold: {seconds} s"
PDF_HOLD_EACH_SIDE = "Hold: {seconds} s each side"
PDF_TICK_TITLE = "Tick a box each day you do the routine ({start:%d %b} to {end:%d %b})"
PDF_EXERCISE_COLUMN = "Exercise"

SUMMARY = (
    "Back exercise summary (from the backcoach bot), to share with your GP or physiotherapist\n\n"
    "In the programme: {length}\n"
    "Sessions: {sessions}\n\n"
    "{pain_heading}\n"
    "Back pain (daily check): {back}\n"
    "Pain during exercises: {during}\n\n"
    "Exercises that hurt (pain 4 or more): {painful}\n\n"
    "Holds now (at the start):\n{holds}\n\n"
    "Pain is self-reported. This is exercise guidance, not a diagnosis."
)
SUMMARY_PAIN_SO_FAR = "Average pain so far (0 = no pain, 10 = worst):"
SUMMARY_PAIN_BY_WEEK = (
    "Average pain each week, weeks {first} to {last}\n(0 = no pain, 10 = worst, – = none reported):"
)
SUMMARY_FIRST_WEEK = "{days} (first week)"
SUMMARY_WEEKS_AND_DAYS = "{weeks} and {days}"
SUMMARY_SESSIONS_BY_WEEK = "{total} (by week: {weeks})"
SUMMARY_PAIN_VALUE = "{value:.1f}/10"
SUMMARY_NO_VALUE = "–"
SUMMARY_PAIN_NONE = "none reported"
SUMMARY_PAINFUL = "{name} ({times}×, up to {worst}/10)"
SUMMARY_NONE = "none"
SUMMARY_HOLD = "• {name}: {now} s ({start} s)"
SUMMARY_NO_HOLDS = "• no exercises done yet"

# Between the two sides of an exercise; `next_side` is the catalog's label ("right knee down").
HOLD_REST_NEXT = "{side}Release. Rest a moment, then the other side: {next_side}."
