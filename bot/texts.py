"""Every word the bot says to a person, in one place."""

from __future__ import annotations

from datetime import time

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

REMINDER_SET = "I'll remind you every day at {time} your time."

ONBOARDING_DONE = (
    "You're all set. {reminder}\n\n"
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

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side. Everything you've told me is saved. "
    "Please try again in a moment."
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

SAFETY_SEE_DOCTOR = (
    "Thank you for telling me. With that, please see a doctor before you carry on with "
    "these exercises, so they can rule out anything that needs other treatment."
)

# Help --------------------------------------------------------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Set up, or see your settings"),
    ("timezone", "Change your time zone"),
    ("remind", "Change your daily reminder time"),
    ("help", "What I can do"),
)

HELP = (
    "I coach a short daily routine for low back pain.\n\n"
    + "\n".join(f"/{name} — {description}" for name, description in COMMANDS)
    + "\n\nI give exercise guidance only; I am not a doctor and this is not a diagnosis."
)


def clock_time(value: time) -> str:
    """A time of day as people read it in the bot: 07:30."""
    return value.strftime("%H:%M")


def chose(question: str, answer: str) -> str:
    """A question edited to show the answer given, so the chat reads as a record."""
    return f"{question}\n\n→ {answer}"
