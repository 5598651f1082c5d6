"""Looking back: /stats, the /progress chart, the /pdf routine sheet and the /summary."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import texts
from bot.domain.streaks import compute_streak, local_day
from bot.handlers.common import services


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


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("stats", stats_command, filters=private),
    ]
