"""Looking back: /stats, the /progress chart, the /pdf routine sheet and the /summary."""

from __future__ import annotations

import html
import logging
from dataclasses import replace

from telegram import InputFile, Update
from telegram.constants import ChatAction, ParseMode
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import texts
from bot.domain.history import History, progress_history
from bot.domain.streaks import compute_streak, local_day
from bot.domain.summary import PainTrend, SummaryInputs, clinician_summary
from bot.domain.timezones import zone
from bot.handlers import figures
from bot.handlers.common import Services, services, today, todays_routine
from bot.handlers.onboarding import DONE
from bot.media import jobs
from bot.storage.models import User

logger = logging.getLogger(__name__)

# Keyword arguments of bot.media.charts.ChartLabels (built in the worker).
CHART_LABELS = dict(
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
    date_format=texts.CHART_DATE_FORMAT,
    no_data=texts.CHART_NO_DATA,
)
# Keyword arguments of bot.media.pdf.PdfLabels.
PDF_LABELS = dict(
    generated_on=texts.PDF_GENERATED,
    hold=texts.PDF_HOLD,
    hold_each_side=texts.PDF_HOLD_EACH_SIDE,
    tracker_title=texts.PDF_TICK_TITLE,
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
    today = local_day(svc.clock.now(), user.timezone or "UTC")
    streak = compute_streak(await svc.repository.session_days(user.id), today)
    holds = await svc.repository.progress_with_start(user.id)
    lines = [
        texts.STATS_HOLD.format(name=html.escape(e.name), now=holds[e.id][1], start=holds[e.id][0])
        for e in svc.catalog.exercises
        if e.id in holds
    ]
    await update.effective_message.reply_text(
        texts.STATS.format(
            sessions=await svc.repository.finished_count(user.id),
            current=streak.current,
            best=streak.best,
            level=user.level,
            holds="\n".join(lines) or texts.STATS_NO_HOLDS,
        ),
        parse_mode=ParseMode.HTML,
    )


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
    history = progress_history(
        await svc.repository.hold_history(user.id),
        {k: now for k, (_, now) in (await svc.repository.progress_with_start(user.id)).items()},
        [(r.reported_at, r.pain) for r in await svc.repository.pain_reports(user.id)],
        await svc.repository.session_days(user.id),
        zone(user.timezone or "UTC"),
        today(svc, user),
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
    png = await svc.renderer.run(jobs.progress_chart, history, CHART_LABELS)
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
    document = await svc.renderer.run(jobs.routine_pdf, sheet, items, PDF_LABELS)
    await update.effective_message.reply_document(
        InputFile(document, filename=texts.PDF_FILENAME.format(day=day.isoformat())),
        caption=texts.PDF_CAPTION,
    )


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
                (r.reported_at.astimezone(tz).date(), r.pain, r.exercise_id)
                for r in await svc.repository.pain_reports(user.id)
            ],
            holds=ordered,
        )
    )
    await update.effective_message.reply_text(_summary_text(svc, facts))


def _summary_text(svc: Services, facts) -> str:
    def name(exercise_id: str) -> str:
        return svc.catalog.get(exercise_id).name if exercise_id in svc.catalog else exercise_id

    if facts.pain_trend is not PainTrend.UNKNOWN:
        pain = texts.SUMMARY_PAIN_TREND.format(
            first=facts.first_week_pain,
            last=facts.last_week_pain,
            trend=texts.SUMMARY_TREND[facts.pain_trend.value],
        )
    elif facts.first_week_pain is not None:
        pain = texts.SUMMARY_PAIN_ONE_WEEK.format(value=facts.first_week_pain)
    else:
        pain = texts.SUMMARY_PAIN_NONE
    painful = ", ".join(
        texts.SUMMARY_PAINFUL.format(name=name(e), times=times, worst=worst)
        for e, times, worst in facts.painful_exercises
    )
    holds = "\n".join(
        texts.SUMMARY_HOLD.format(name=name(e), now=now, start=start)
        for e, start, now in facts.holds
    )
    return texts.SUMMARY.format(
        weeks=facts.weeks_in_programme,
        ws="" if facts.weeks_in_programme == 1 else "s",
        sessions=facts.sessions,
        ss="" if facts.sessions == 1 else "s",
        per_week=f"{facts.sessions_per_week:g}",
        pain=pain,
        painful=painful or texts.SUMMARY_NONE,
        holds=holds or texts.SUMMARY_NO_HOLDS,
    )


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("stats", stats_command, filters=private),
        CommandHandler("progress", progress_command, filters=private),
        CommandHandler("pdf", pdf_command, filters=private),
        CommandHandler("summary", summary_command, filters=private),
    ]
