"""Looking back: /stats, the /progress chart, the /pdf routine sheet and the /summary."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from telegram import InputFile, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import texts
from bot.domain.history import History, progress_history
from bot.domain.streaks import Streak, compute_streak, days_exercised, local_day
from bot.domain.summary import (
    ClinicianSummary,
    PainEntry,
    ProgrammeLength,
    SummaryInputs,
    clinician_summary,
    pain_kind,
)
from bot.domain.timezones import zone
from bot.handlers import callback_data as cd
from bot.handlers import figures
from bot.handlers.common import Services, services, today, todays_routine
from bot.handlers.onboarding import DONE
from bot.media import jobs
from bot.storage.models import User

logger = logging.getLogger(__name__)

# The days of the /pdf tick-box table (bot.media.pdf.TRACKER_DAYS: this process never imports
# fpdf2).
TRACKER_DAYS = 14


def chart_labels() -> dict:
    """Keyword arguments of bot.media.charts.ChartLabels (built in the worker), in the
    current language."""
    return dict(
        title=texts.CHART_TITLE,
        holds_title=texts.CHART_HOLDS_TITLE,
        holds_axis=texts.CHART_HOLDS_AXIS,
        pain_title=texts.CHART_PAIN_TITLE,
        pain_axis=texts.CHART_PAIN_AXIS,
        pain_fine=texts.CHART_PAIN_FINE,
        pain_acceptable=texts.CHART_PAIN_ACCEPTABLE,
        pain_too_much=texts.CHART_PAIN_TOO_MUCH,
        calendar_title=texts.CHART_CALENDAR_TITLE,
        weekdays=texts.WEEKDAYS,
        no_data=texts.CHART_NO_DATA,
        format_day=texts.day_writer(),
    )


def pdf_labels(day: date) -> dict:
    """Keyword arguments of bot.media.pdf.PdfLabels for a sheet made on `day`, in the current
    language; its dates are written here with Babel (the worker's strftime knows only English),
    so the worker's .format(date=...) finds nothing left to fill."""
    return dict(
        generated_on=texts.PDF_GENERATED.format(date=texts.long_date(day)),
        hold=texts.PDF_HOLD,
        hold_each_side=texts.PDF_HOLD_EACH_SIDE,
        tracker_title=texts.PDF_TICK_TITLE.format(
            start=texts.short_date(day),
            end=texts.short_date(day + timedelta(days=TRACKER_DAYS - 1)),
        ),
        exercise_column=texts.PDF_EXERCISE_COLUMN,
        weekdays=texts.WEEKDAYS,
    )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: sessions, streaks, and each exercise's hold now against its start."""
    svc = services(context)
    assert update.effective_user and update.effective_message
    user = await svc.repository.get_user(update.effective_user.id)
    if user is None:
        await update.effective_message.reply_text(texts.SESSION_NEEDS_SETUP)
        return
    day = local_day(svc.clock.now(), user.timezone or "UTC")
    counted, frozen = await svc.repository.streak_days(user.id, day)
    streak = compute_streak(counted, frozen, day)
    holds = await svc.repository.progress_with_start(user.id)
    lines = [
        texts.STATS_HOLD.format(name=html.escape(e.name), now=holds[e.id][1], start=holds[e.id][0])
        for e in svc.catalog.exercises
        if e.id in holds
    ]
    await update.effective_message.reply_text(
        texts.STATS.format(
            # The days the streak counts, by its rule: a stopped session or a routine done
            # alone counts there, so it counts here too.
            days=days_exercised(counted, day),
            streak=html.escape(texts.streak_line(streak.current, streak.best, streak.rested)),
            rule=html.escape(texts.STATS_STREAK_RULE),
            level=user.level,
            holds="\n".join(lines) or texts.STATS_NO_HOLDS,
        ),
        parse_mode=ParseMode.HTML,
    )


async def streak_of(svc: Services, user_id: int, day: date) -> Streak:
    """The person's streak on their local `day`, by the one rule (bot.domain.streaks)."""
    counted, frozen = await svc.repository.streak_days(user_id, day)
    return compute_streak(counted, frozen, day)


async def stats_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "My progress" button: the same as /stats."""
    assert update.callback_query is not None
    await update.callback_query.answer()
    await stats_command(update, context)


async def _set_up(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The person, once set up; otherwise they are told to finish setting up."""
    assert update.effective_user and update.effective_message
    user = await services(context).repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step != DONE:
        await update.effective_message.reply_text(texts.NEEDS_SETUP_FOR_MEDIA)
        return None
    return user


async def _history(svc: Services, user: User) -> History:
    """Holds, pain and session days in the person's local time, for the chart."""
    day = today(svc, user)
    counted, frozen = await svc.repository.streak_days(user.id, day)
    history = progress_history(
        await svc.repository.hold_history(user.id),
        {k: now for k, (_, now) in (await svc.repository.progress_with_start(user.id)).items()},
        [(r.reported_at, r.pain) for r in await svc.repository.pain_reports(user.id)],
        counted,
        zone(user.timezone or "UTC"),
        day,
        frozen_days=frozen,
    )
    # Lines are named as the person knows them; an exercise no longer in the catalog is
    # left out.
    named = {svc.catalog.get(k).name: v for k, v in history.holds.items() if k in svc.catalog}
    return replace(history, holds=named)


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/progress: a chart of holds, pain and session days, drawn off the event loop."""
    svc = services(context)
    assert update.effective_message and update.effective_chat
    user = await _set_up(update, context)
    if user is None:
        return
    history = await _history(svc, user)
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_PHOTO)
    png = await svc.renderer.run(jobs.progress_chart, history, chart_labels())
    await update.effective_message.reply_photo(
        InputFile(png, filename="progress.png"),
        caption=texts.PROGRESS_CAPTION.format(streak=history.streak),
    )


async def pdf_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pdf: today's routine with the person's own holds, printable, with two weeks to tick."""
    svc = services(context)
    assert update.effective_message and update.effective_chat
    user = await _set_up(update, context)
    if user is None:
        return
    await context.bot.send_chat_action(update.effective_chat.id, ChatAction.UPLOAD_DOCUMENT)
    day = today(svc, user)
    items = [
        {
            "name": item.exercise.name,
            "steps": tuple(item.exercise.steps),
            "hold_seconds": item.target_hold,
            "sides": bool(item.sides),
            "figure_png": await figures.figure_png(svc, item.exercise.id),
        }
        for item in await todays_routine(svc, user)
    ]
    sheet = {"title": texts.PDF_TITLE, "generated_on": day, "start": day}
    document = await svc.renderer.run(jobs.routine_pdf, sheet, items, pdf_labels(day))
    await update.effective_message.reply_document(
        InputFile(document, filename=texts.PDF_FILENAME.format(day=day.isoformat())),
        caption=texts.PDF_CAPTION,
    )


# At most this many recent weeks are shown, so a long programme still fits a phone screen.
SUMMARY_WEEKS_SHOWN = 12


async def summary_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/summary: one forwardable message for a GP or physiotherapist."""
    svc = services(context)
    assert update.effective_message
    user = await _set_up(update, context)
    if user is None:
        return
    tz = zone(user.timezone or "UTC")
    holds = await svc.repository.progress_with_start(user.id)
    ordered = {e.id: holds[e.id] for e in svc.catalog.exercises if e.id in holds}
    facts = clinician_summary(
        SummaryInputs(
            started_on=user.created_at.astimezone(tz).date(),
            today=today(svc, user),
            session_days=await svc.repository.session_days(user.id),
            pains=[
                PainEntry(
                    day=r.reported_at.astimezone(tz).date(),
                    score=r.pain,
                    kind=pain_kind(r.source, r.exercise_id),
                    exercise_id=r.exercise_id,
                )
                for r in await svc.repository.pain_reports(user.id)
            ],
            holds=ordered,
        )
    )
    text = summary_text(facts, _exercise_name(svc))
    if user.start_code:  # after the heading: the clinic or physio the person came from
        code = texts.SUMMARY_START_CODE.format(code=user.start_code)
        text = text.replace("\n\n", f"\n\n{code}\n", 1)
    await update.effective_message.reply_text(text)


def _exercise_name(svc: Services) -> Callable[[str], str]:
    def name(exercise_id: str) -> str:
        return svc.catalog.get(exercise_id).name if exercise_id in svc.catalog else exercise_id

    return name


def length_text(length: ProgrammeLength) -> str:
    """Time in the programme: "1 day (first week)", "1 week", "2 weeks and 3 days"."""
    if length.first_week:
        return texts.SUMMARY_FIRST_WEEK.format(days=texts.days(length.days))
    if not length.extra_days:
        return texts.weeks(length.weeks)
    return texts.SUMMARY_WEEKS_AND_DAYS.format(
        weeks=texts.weeks(length.weeks), days=texts.days(length.extra_days)
    )


def pain_series_text(values: Sequence[float | None]) -> str:
    """One weekly pain series, "2.5/10, –, 3.0/10"; "none reported" without any value."""
    if all(value is None for value in values):
        return texts.SUMMARY_PAIN_NONE
    return ", ".join(
        texts.SUMMARY_NO_VALUE if value is None else texts.pain_value(value) for value in values
    )


def summary_text(facts: ClinicianSummary, name: Callable[[str], str]) -> str:
    """The /summary message: the last SUMMARY_WEEKS_SHOWN weeks of each series, week by week."""
    weeks = len(facts.sessions_by_week)
    first = max(0, weeks - SUMMARY_WEEKS_SHOWN)
    if weeks == 1:
        sessions, heading = str(facts.sessions), texts.SUMMARY_PAIN_SO_FAR
    else:
        by_week = ", ".join(str(count) for count in facts.sessions_by_week[first:])
        sessions = texts.SUMMARY_SESSIONS_BY_WEEK.format(total=facts.sessions, weeks=by_week)
        heading = texts.SUMMARY_PAIN_BY_WEEK.format(first=first + 1, last=weeks)
    painful = ", ".join(
        texts.SUMMARY_PAINFUL.format(name=name(e), times=times, worst=worst)
        for e, times, worst in facts.painful_exercises
    )
    holds = "\n".join(
        texts.SUMMARY_HOLD.format(name=name(e), now=now, start=start)
        for e, start, now in facts.holds
    )
    return texts.SUMMARY.format(
        length=length_text(facts.length),
        sessions=sessions,
        pain_heading=heading,
        back=pain_series_text(facts.back_pain_by_week[first:]),
        during=pain_series_text(facts.exercise_pain_by_week[first:]),
        painful=painful or texts.SUMMARY_NONE,
        holds=holds or texts.SUMMARY_NO_HOLDS,
    )


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("stats", stats_command, filters=private),
        CallbackQueryHandler(stats_button, pattern=f"^{cd.GENERAL}:{cd.STATS}$"),
        CommandHandler("progress", progress_command, filters=private),
        CommandHandler("pdf", pdf_command, filters=private),
        CommandHandler("summary", summary_command, filters=private),
    ]
