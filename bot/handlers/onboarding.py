"""Onboarding on /start: welcome, safety screen, today's pain, time zone, reminder time."""

from __future__ import annotations

import asyncio
import re
from datetime import time

from telegram import (
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import i18n, texts
from bot.domain import gazetteer
from bot.domain.gates import RedFlagHold, hold_after
from bot.domain.replies import is_consent, parse_pain
from bot.domain.safety import Urgency, pain_urgency
from bot.domain.time_of_day import AmbiguousHour, parse_time_of_day, read_time_of_day
from bot.domain.timezones import (
    ZoneChoices,
    ZoneFound,
    describe_timezone,
    find_timezone,
    timezone_for_location,
    zone,
)
from bot.handlers import callback_data as cd
from bot.handlers import general, language
from bot.handlers.common import Rows, Services, inline_keyboard, services, show_choice
from bot.storage.models import User

# Where onboarding stands, in order; "done" means the programme can start.
RED_FLAGS = "red_flags"
SEE_DOCTOR = "see_doctor"
CONSENT = "consent"
PAIN = "pain"
TIMEZONE = "timezone"
REMINDER_TIME = "reminder_time"
DONE = "done"

REMINDER_CHOICES = (time(7, 0), time(8, 0), time(12, 0), time(18, 0), time(19, 0), time(20, 0))


async def ask(message: Message, user: User) -> None:
    """Ask the question of the user's current onboarding step."""
    step = user.onboarding_step
    if step in (RED_FLAGS, SEE_DOCTOR) and user.red_flag_hold == RedFlagHold.URGENT:
        # Urgent signs, answered or typed at either question, wait for a doctor's check.
        await message.reply_text(texts.URGENT_ADVICE, reply_markup=_cleared(cd.RED_FLAG))
    elif step == RED_FLAGS:
        await message.reply_text(texts.RED_FLAG_QUESTION, reply_markup=_yes_no(cd.RED_FLAG))
    elif step == SEE_DOCTOR and user.red_flag_hold == RedFlagHold.SEE_DOCTOR:
        await message.reply_text(texts.SEE_DOCTOR_ADVICE, reply_markup=_cleared(cd.SEE_DOCTOR))
    elif step == SEE_DOCTOR:
        await message.reply_text(texts.SEE_DOCTOR_QUESTION, reply_markup=_yes_no(cd.SEE_DOCTOR))
    elif step == CONSENT:
        keyboard = inline_keyboard(
            [
                [(texts.CONSENT_YES, cd.pack(cd.ONBOARDING, cd.CONSENT, "yes"))],
                [(texts.CONSENT_NO, cd.pack(cd.ONBOARDING, cd.CONSENT, "no"))],
            ]
        )
        await message.reply_text(texts.CONSENT_QUESTION, reply_markup=keyboard)
    elif step == PAIN:
        await message.reply_text(texts.PAIN_QUESTION, reply_markup=pain_keyboard(cd.ONBOARDING))
    elif step == TIMEZONE:
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(texts.SHARE_LOCATION, request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await message.reply_text(texts.TIMEZONE_QUESTION, reply_markup=keyboard)
    elif step == REMINDER_TIME:
        rows = [REMINDER_CHOICES[:3], REMINDER_CHOICES[3:]]
        keyboard = inline_keyboard(
            [
                [
                    (
                        texts.clock_time(t),
                        cd.pack(cd.ONBOARDING, cd.REMINDER_TIME, t.strftime("%H%M")),
                    )
                    for t in row
                ]
                for row in rows
            ]
        )
        await message.reply_text(texts.REMINDER_QUESTION, reply_markup=keyboard)


def _yes_no(action: str):
    return inline_keyboard(
        [
            [(texts.YES_ONE_APPLIES, cd.pack(cd.ONBOARDING, action, "yes"))],
            [(texts.NO_NONE_APPLY, cd.pack(cd.ONBOARDING, action, "no"))],
        ]
    )


def _cleared(action: str):
    label = texts.CHECKED_BY_DOCTOR if action == cd.RED_FLAG else texts.DOCTOR_SAYS_OK
    return inline_keyboard([[(label, cd.pack(cd.ONBOARDING, action, "cleared"))]])


def waiting_for_doctor(user: User) -> tuple[str, InlineKeyboardMarkup] | None:
    """While a doctor's check holds the safety screen: one short line and its button again
    (the whole advice was given once; it is not repeated for every message). None otherwise."""
    if user.onboarding_step not in (RED_FLAGS, SEE_DOCTOR):
        return None
    if user.red_flag_hold == RedFlagHold.URGENT:
        return texts.WAITING_FOR_DOCTOR_CHECK, _cleared(cd.RED_FLAG)
    if user.onboarding_step == SEE_DOCTOR and user.red_flag_hold == RedFlagHold.SEE_DOCTOR:
        return texts.WAITING_FOR_DOCTOR_OK, _cleared(cd.SEE_DOCTOR)
    return None


def pain_rows(prefix: str, action: str = cd.PAIN) -> Rows:
    """0-10 buttons in two rows, small enough to tap on a phone."""
    return (
        [(str(n), cd.pack(prefix, action, str(n))) for n in range(0, 6)],
        [(str(n), cd.pack(prefix, action, str(n))) for n in range(6, 11)],
    )


def pain_keyboard(prefix: str, action: str = cd.PAIN):
    """The 0-10 buttons as a keyboard object."""
    return inline_keyboard(pain_rows(prefix, action))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome a new person, resume an unfinished setup, or greet someone who is set up."""
    svc = services(context)
    assert update.effective_user and update.effective_chat and update.effective_message
    message = update.effective_message
    user, created = await svc.repository.ensure_user(
        update.effective_user.id,
        update.effective_chat.id,
        svc.clock.now(),
        language=language.first_contact(update.effective_user.language_code),
    )
    code = start_code(context.args)
    if code is not None and code != user.start_code:
        user = await svc.repository.update_user(user.id, start_code=code)
        code_note = texts.START_CODE_KEPT.format(code=code)
    else:
        code_note = None  # none, or the one already kept: nothing new to say
    if not user.disclaimer_shown:
        # The welcome carries the "not a diagnosis" note; it is said once, plainly.
        await message.reply_text(texts.WELCOME)
        user = await svc.repository.update_user(user.id, disclaimer_shown=True)
        if created and i18n.current() != i18n.SOURCE:
            await language.label_menu_button(context, update.effective_chat.id)
    elif user.onboarding_step != DONE:
        await message.reply_text(texts.WELCOME_BACK_ONBOARDING)
    else:
        await message.reply_text(
            texts.WELCOME_BACK.format(zone=_zone_text(user, svc.clock.now()), time=_time_text(user))
        )
        if user.blocked:
            # They had blocked the bot; coming back with /start turns reminders on again.
            await svc.repository.update_user(user.id, blocked=False, now=svc.clock.now())
            await message.reply_text(texts.WELCOME_BACK_UNBLOCKED)
        if code_note:
            await message.reply_text(code_note)
        return
    if code_note:
        await message.reply_text(code_note)
    await ask(message, user)


# Telegram's rule for a deep link's payload (t.me/<bot>?start=CODE); anything else is ignored.
START_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_code(args: list[str] | None) -> str | None:
    """The code of the link that opened the chat ("/start pt_ABC"), if it is a valid one."""
    if args and len(args) == 1 and START_CODE.fullmatch(args[0]):
        return args[0]
    return None


async def answer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route an onboarding button; a button from an answered question is stale."""
    svc = services(context)
    query = update.callback_query
    assert query and query.message and update.effective_user
    _, action, value = cd.unpack(query.data)
    user = await svc.repository.get_user(update.effective_user.id)
    expected_step = {
        cd.RED_FLAG: RED_FLAGS,
        cd.SEE_DOCTOR: SEE_DOCTOR,
        cd.CONSENT: CONSENT,
        cd.PAIN: PAIN,
        cd.REMINDER_TIME: REMINDER_TIME,
        cd.TIMEZONE_CHOICE: TIMEZONE,
        cd.NAME_CITY: REMINDER_TIME,  # offered with a fixed offset, as the time is asked
    }.get(action)
    if action == cd.RED_FLAG and value == "cleared":
        # Only urgent signs wait for it, also when typed at the second question.
        expected_step = user.onboarding_step if user and _urgent_on_screen(user) else None
    elif user is not None and action == cd.SEE_DOCTOR and _urgent_on_screen(user):
        # The second question's buttons never lift urgent signs: the way on is offered again.
        await query.answer()
        text, keyboard = texts.WAITING_FOR_DOCTOR_CHECK, _cleared(cd.RED_FLAG)
        await context.bot.send_message(update.effective_user.id, text, reply_markup=keyboard)
        return
    if user is not None and action == cd.NAME_CITY and user.onboarding_step == DONE:
        await query.answer()
        await context.bot.send_message(update.effective_user.id, texts.ASK_CITY_COMMAND)
        return
    if user is None or expected_step is None or user.onboarding_step != expected_step:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    message = query.message
    assert isinstance(message, Message)
    if not await show_choice(query):
        return  # a second tap of the same button

    if action in (cd.RED_FLAG, cd.SEE_DOCTOR):
        await ask(message, await _screen_answer(svc, user, action, value))
    elif action == cd.CONSENT:
        await _consent(message, context, user, agreed=value == "yes")
    elif action == cd.PAIN and (pain := button_pain(value)) is not None:
        await _record_pain(message, context, user, pain)
    elif action == cd.REMINDER_TIME and len(value) == 4 and value.isascii() and value.isdecimal():
        chosen = parse_time_of_day(f"{value[:2]}:{value[2:]}")
        if chosen is not None:
            await _save_reminder_time(message, context, user, chosen)
    elif action == cd.TIMEZONE_CHOICE and known_zone(value):
        await _save_timezone(message, context, user, value)
    elif action == cd.NAME_CITY:
        await svc.repository.update_user(user.id, onboarding_step=TIMEZONE, now=svc.clock.now())
        await message.reply_text(texts.ASK_CITY)


def _urgent_on_screen(user: User) -> bool:
    return user.onboarding_step in (RED_FLAGS, SEE_DOCTOR) and (
        user.red_flag_hold == RedFlagHold.URGENT
    )


async def _screen_answer(svc: Services, user: User, action: str, value: str) -> User:
    """An answer to the safety screen. A hold is never lowered by a "no" (signs typed before
    it stand), and each is lifted only by its own button: urgent signs by "A doctor has
    checked me", then the second question is asked; see-a-doctor signs by the doctor's OK."""
    now = svc.clock.now()
    held = user.red_flag_hold
    if value == "yes":
        found = Urgency.URGENT if action == cd.RED_FLAG else Urgency.SEE_DOCTOR
        return await svc.repository.update_user(
            user.id, red_flag_hold=hold_after(held, found), now=now
        )
    if value == "cleared" and action == cd.RED_FLAG and held == RedFlagHold.URGENT:
        return await svc.repository.update_user(
            user.id, red_flag_hold=None, onboarding_step=SEE_DOCTOR, now=now
        )
    if value == "cleared" and held == RedFlagHold.SEE_DOCTOR:
        return await svc.repository.update_user(
            user.id, red_flag_hold=None, onboarding_step=CONSENT, now=now
        )
    if value == "no" and held != RedFlagHold.URGENT:
        # Milder signs typed before this "no" still wait for the doctor's OK.
        after = CONSENT if action == cd.SEE_DOCTOR and held is None else SEE_DOCTOR
        return await svc.repository.update_user(user.id, onboarding_step=after, now=now)
    return user


def button_pain(value: str) -> int | None:
    """The 0-10 pain score a pain button carries; None for anything else.

    Only ASCII digits count: str.isdigit() is true for "²", which int() refuses.
    """
    if value.isascii() and value.isdecimal() and 0 <= int(value) <= 10:
        return int(value)
    return None


async def _consent(
    message: Message, context: ContextTypes.DEFAULT_TYPE, user: User, *, agreed: bool
) -> None:
    """Health data is kept only after an explicit yes; a no stops here and keeps nothing."""
    svc = services(context)
    if not agreed:
        await message.reply_text(texts.CONSENT_DECLINED)
        return
    if user.timezone is not None and user.reminder_time is not None:
        # Set up before consent was on record: everything else is as they left it.
        await svc.repository.update_user(
            user.id, consented_at=svc.clock.now(), onboarding_step=DONE, now=svc.clock.now()
        )
        await message.reply_text(texts.CONSENT_THANKS_RETURNING)
        return
    user = await svc.repository.update_user(
        user.id, consented_at=svc.clock.now(), onboarding_step=PAIN, now=svc.clock.now()
    )
    await ask(message, user)


async def _record_pain(
    message: Message, context: ContextTypes.DEFAULT_TYPE, user: User, pain: int
) -> None:
    svc = services(context)
    await svc.repository.add_pain_report(user.id, pain, svc.clock.now(), "onboarding")
    if pain_urgency(pain) is Urgency.STOP_TODAY:
        # Stay on this step: /start asks again once the pain has eased.
        await svc.repository.update_user(user.id, starting_pain=pain)
        await message.reply_text(texts.PAIN_TOO_HIGH_TODAY)
        return
    user = await svc.repository.update_user(
        user.id, starting_pain=pain, onboarding_step=TIMEZONE, now=svc.clock.now()
    )
    await message.reply_text(texts.PAIN_NOTED.format(pain=pain))
    await ask(message, user)


async def _save_timezone(
    message: Message,
    context: ContextTypes.DEFAULT_TYPE,
    user: User,
    zone: str,
    *,
    fixed_offset: bool = False,
) -> None:
    svc = services(context)
    user = await svc.repository.update_user(
        user.id, timezone=zone, onboarding_step=REMINDER_TIME, now=svc.clock.now()
    )
    await message.reply_text(
        texts.TIMEZONE_SET.format(zone=describe_timezone(zone, svc.clock.now())),
        reply_markup=ReplyKeyboardRemove(),
    )
    if fixed_offset:
        question, keyboard = fixed_offset_note(cd.ONBOARDING, zone, svc.clock.now())
        await message.reply_text(question, reply_markup=keyboard)
    await ask(message, user)


# Time zones and reminder times typed as people say them, shared with /timezone and /remind.


async def find_zone(typed: str) -> ZoneFound | ZoneChoices | None:
    """find_timezone in a worker thread: the first city lookup reads the gazetteer (~2 s).

    The person's language settles names that mean a big city there ("Pekín" in Spanish).
    """
    return await asyncio.to_thread(find_timezone, typed, i18n.current())


def known_zone(value: str) -> bool:
    """Whether a button's value is a zone this runtime has (a forged one is not)."""
    try:
        zone(value)
    except ValueError:
        return False
    return True


def place_choices(prefix: str, choices: ZoneChoices) -> tuple[str, InlineKeyboardMarkup]:
    """The question "Which Portland do you mean?", one button a place carrying its zone."""
    labels = [texts.place_label(p.name, p.region, p.country) for p in choices.places]
    rows = [
        [(f"{label} ({p.zone})" if labels.count(label) > 1 else label,
          cd.pack(prefix, cd.TIMEZONE_CHOICE, p.zone))]
        for label, p in zip(labels, choices.places, strict=True)
    ]  # fmt: skip
    text = texts.PLACE_CHOICES.format(name=choices.places[0].name)
    return text, inline_keyboard(rows)


def fixed_offset_note(prefix: str, zone_name: str, now) -> tuple[str, InlineKeyboardMarkup]:
    """One line saying a fixed offset keeps no summer time, and a button to name a city."""
    text = texts.FIXED_OFFSET_NOTE.format(zone=describe_timezone(zone_name, now))
    return text, inline_keyboard([[(texts.NAME_A_CITY, cd.pack(prefix, cd.NAME_CITY))]])


def morning_or_evening(prefix: str, action: str, hour: AmbiguousHour):
    """The question "7:00 in the morning or 19:00?", with a button for each."""
    text = texts.TIME_MORNING_OR_EVENING.format(
        morning=texts.spoken_clock_time(hour.morning),
        evening=texts.spoken_clock_time(hour.evening),
    )
    buttons = [
        (texts.clock_time(t), cd.pack(prefix, action, t.strftime("%H%M")))
        for t in (hour.morning, hour.evening)
    ]
    return text, inline_keyboard([buttons])


async def _save_reminder_time(
    message: Message, context: ContextTypes.DEFAULT_TYPE, user: User, chosen: time
) -> None:
    svc = services(context)
    await svc.repository.update_user(
        user.id, reminder_time=chosen, onboarding_step=DONE, now=svc.clock.now()
    )
    reminder = texts.REMINDER_SET.format(time=texts.clock_time(chosen))
    await message.reply_text(
        texts.ONBOARDING_DONE.format(reminder=reminder),
        reply_markup=inline_keyboard(
            [[(texts.START_SESSION, cd.pack(cd.SESSION, cd.START_SESSION))]]
        ),
    )


async def text_during_onboarding(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed answers while setting up: pain, time zone or reminder time."""
    svc = services(context)
    assert update.effective_user and update.effective_message
    message = update.effective_message
    user = await svc.repository.get_user(update.effective_user.id)
    if user is None:
        # Someone who never sent /start: treat their first words as the start.
        await start(update, context)
        return
    step = user.onboarding_step
    typed = (message.text or "").strip()
    if step == CONSENT and is_consent(typed):
        await _consent(message, context, user, agreed=True)
    elif step == CONSENT:
        await message.reply_text(texts.CONSENT_NEEDED)
        await ask(message, user)
    elif step == PAIN and (pain := parse_pain(typed)) is not None:
        await _record_pain(message, context, user, pain)
    elif step == TIMEZONE:
        found = await find_zone(typed)
        if found is None:
            await message.reply_text(texts.TIMEZONE_NOT_FOUND)
        elif isinstance(found, ZoneChoices):
            question, keyboard = place_choices(cd.ONBOARDING, found)
            await message.reply_text(question, reply_markup=keyboard)
        else:
            await _save_timezone(
                message, context, user, found.zone, fixed_offset=found.fixed_offset
            )
    elif step == REMINDER_TIME:
        chosen = read_time_of_day(typed)
        if chosen is None:
            await message.reply_text(texts.TIME_NOT_UNDERSTOOD)
        elif isinstance(chosen, AmbiguousHour):
            question, keyboard = morning_or_evening(cd.ONBOARDING, cd.REMINDER_TIME, chosen)
            await message.reply_text(question, reply_markup=keyboard)
        else:
            await _save_reminder_time(message, context, user, chosen)
    elif step == DONE:
        await general.unplaced(message, typed)
    elif (waiting := waiting_for_doctor(user)) is not None:
        # Red-flag words never come here: the safety screen gave them the full advice.
        await message.reply_text(waiting[0], reply_markup=waiting[1])
    else:
        await message.reply_text(texts.FINISH_SETUP_FIRST)
        await ask(message, user)


async def location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared location sets the time zone (the only thing we use it for; it is not kept)."""
    svc = services(context)
    assert update.effective_user and update.effective_message
    message = update.effective_message
    user = await svc.repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step not in (TIMEZONE, DONE) or message.location is None:
        await message.reply_text(texts.NOT_UNDERSTOOD)
        return
    zone = timezone_for_location(message.location.latitude, message.location.longitude)
    if zone is None:
        await message.reply_text(texts.LOCATION_NOT_FOUND)
    elif user.onboarding_step == TIMEZONE:
        await _save_timezone(message, context, user, zone)
    else:
        await svc.repository.update_user(user.id, timezone=zone, now=svc.clock.now())
        await message.reply_text(
            texts.TIMEZONE_SET.format(zone=describe_timezone(zone, svc.clock.now())),
            reply_markup=ReplyKeyboardRemove(),
        )


def _zone_text(user: User, now) -> str:
    return describe_timezone(user.timezone, now) if user.timezone else texts.NOT_SET


def _time_text(user: User) -> str:
    return texts.clock_time(user.reminder_time) if user.reminder_time else texts.NOT_SET


def handlers() -> list:
    """This flow's handlers, in the order they should be tried."""
    gazetteer.preload()  # city names are read in the background while the bot starts
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("start", start, filters=private),
        CallbackQueryHandler(answer_button, pattern=cd.pattern(cd.ONBOARDING)),
        MessageHandler(private & filters.LOCATION, location),
        # Plain text goes through the session flow first, which hands it back here.
    ]
