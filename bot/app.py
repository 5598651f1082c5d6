"""The composition root: builds the Application and everything it needs, in one place."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from telegram import BotCommandScopeAllPrivateChats, MenuButtonWebApp, WebAppInfo
from telegram.ext import Application, ApplicationBuilder

from bot import texts
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.handlers import (
    general,
    language,
    onboarding,
    privacy,
    reminder_fanout,
    reminders,
    reports,
    routine,
    safety,
    session,
    stats,
)
from bot.handlers.common import SERVICES_KEY, Services
from bot.intake import INBOX_KEY, INBOX_TICK_SECONDS, Inbox, IntakeBot, UpdatesRequest
from bot.media.renderer import Renderer
from bot.ratelimit import PatientRateLimiter
from bot.storage.database import create_engine, migrate
from bot.storage.repository import Repository
from bot.transport import make_request
from bot.updates import PerUserUpdateProcessor, StoppingApplication
from catalog.loader import load_catalog
from catalog.model import Catalog
from catalog.poses import load_poses

logger = logging.getLogger(__name__)

# Handler groups: the person's language is set before anything answers them; the safety
# screen sees every message before any flow does; then edited and forwarded messages stop
# before any flow takes them as an answer.
LANGUAGE_GROUP = -3
SAFETY_GROUP = -2
NOT_AN_ANSWER_GROUP = -1


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    catalog: Catalog | None = None,
) -> Application:
    """Wire settings, storage, catalog and handlers into a ready-to-run Application."""
    repository = Repository(
        create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            pool_timeout=settings.database_pool_timeout,
        )
    )
    # Every update is stored before Telegram is told it arrived, and marked done once handled
    # (bot/intake.py). SQLite has one writer: the inbox queues behind the repository's lock.
    inbox = Inbox(repository.inbox())
    application = (
        ApplicationBuilder()
        .application_class(StoppingApplication)
        .bot(_bot(settings, inbox))
        # Different people concurrently, each person's own updates in order; each marked done
        # in the inbox once handled.
        .concurrent_updates(
            PerUserUpdateProcessor(
                finished=inbox.finished, begin=inbox.begin, retry_later=inbox.retry_later
            )
        )
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    catalog = catalog or load_catalog()
    application.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        repository=repository,
        clock=clock or SystemClock(),
        catalog=catalog,
        renderer=Renderer(settings.render_workers),
        poses=load_poses(exercise_ids=[exercise.id for exercise in catalog.exercises]),
    )
    application.add_handlers(language.early(), group=LANGUAGE_GROUP)
    application.add_handlers(safety.handlers(), group=SAFETY_GROUP)
    application.add_handlers(general.not_answers(), group=NOT_AN_ANSWER_GROUP)
    application.add_handlers(
        general.handlers()
        + reminders.handlers()
        + reports.handlers()
        + stats.handlers()
        + privacy.handlers()
        + routine.handlers()
        + language.handlers()
        + session.handlers()
        + onboarding.handlers()
    )
    application.add_error_handler(general.on_error)
    application.bot_data[INBOX_KEY] = inbox
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        inbox.tick, interval=INBOX_TICK_SECONDS, first=INBOX_TICK_SECONDS, name="inbox"
    )
    reminder_fanout.schedule(application, settings.reminder_tick_seconds)
    return application


def _bot(settings: Settings, inbox: Inbox) -> IntakeBot:
    """The bot: PTB's ExtBot, with getUpdates going through the update inbox."""
    return IntakeBot(
        token=settings.token,
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.base_file_url,
        # getUpdates as PTB does it (one connection), but an update PTB cannot read is skipped
        # (logged by id) instead of failing, and refetching, the whole batch forever.
        # Stored in the inbox before the offset that confirms them is sent.
        get_updates_request=UpdatesRequest(
            transport=make_request(settings.http_client, connection_pool_size=1), inbox=inbox
        ),
        # PTB's transport (bot/transport.py): aiohttp by default, httpx by HTTP_CLIENT.
        request=make_request(settings.http_client),
        # Keeps us under Telegram's flood limits, retries a 429 after retry_after and a 5xx.
        rate_limiter=PatientRateLimiter(),
    )


async def _post_init(application: Application) -> None:
    """Migrate the database, then tell Telegram our commands."""
    services: Services = application.bot_data[SERVICES_KEY]
    # The bot migrates itself: a fresh checkout or a new release just works.
    await migrate(services.settings.database_url)
    # What a crash or a stop left unfinished goes first, oldest first, before new updates.
    await application.bot_data[INBOX_KEY].replay(application)
    await _set_profile(application)
    logger.info("ready")


async def _set_profile(application: Application) -> None:
    """What Telegram shows before and around the chat: the description in the empty chat
    (what the bot does, not a diagnosis), the profile's short description (each set only when
    it changed: Telegram limits how often), and a short menu of the everyday commands in
    private chats (/help lists them all). Groups get no menu: the bot only points them to
    its private chat."""
    bot = application.bot
    if (await bot.get_my_description()).description != texts.BOT_DESCRIPTION:
        await bot.set_my_description(texts.BOT_DESCRIPTION)
    if (await bot.get_my_short_description()).short_description != texts.BOT_SHORT_DESCRIPTION:
        await bot.set_my_short_description(texts.BOT_SHORT_DESCRIPTION)
    await bot.set_my_commands(language.menu(), scope=BotCommandScopeAllPrivateChats())
    await bot.delete_my_commands()  # the default scope, once all commands (an older version)
    # The same in each shipped language, for people whose Telegram is set to it.
    await language.set_profiles(bot)
    url = application.bot_data[SERVICES_KEY].settings.mini_app_url
    if url:
        # The menu button beside the message field opens the timer (bot/miniapp/).
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp(texts.MENU_TIMER, WebAppInfo(url))
        )


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    await application.bot_data[INBOX_KEY].release()
    await asyncio.to_thread(services.renderer.close)
    await services.repository.close()


@asynccontextmanager
async def lifecycle(
    application: Application, start_updates: Callable[[], Awaitable[object]]
) -> AsyncIterator[None]:
    """Initialise, post_init, start, then take updates; undo it all in reverse on exit."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await start_updates()
        try:
            yield
        finally:
            if application.updater.running:
                await _stop_taking_updates(application)
            await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


# A platform kills the process about 10 s after SIGTERM. Stopping the updater waits for a
# getUpdates batch being stored; with the database down that is a whole busy timeout.
UPDATER_STOP_SECONDS = 2.0


async def _stop_taking_updates(application: Application) -> None:
    """Stop polling, but wait for a batch being stored only briefly: one not stored in time
    was never confirmed to Telegram, which sends it again to the next start."""
    assert application.updater is not None
    try:
        await asyncio.wait_for(application.updater.stop(), UPDATER_STOP_SECONDS)
    except TimeoutError:
        logger.warning("stopping: the last batch of updates was left to Telegram")


@asynccontextmanager
async def running(application: Application, *, poll_timeout: float = 10) -> AsyncIterator[None]:
    """Run the bot with long polling inside an existing event loop (demo and tests)."""

    def poll() -> Awaitable[object]:
        assert application.updater is not None
        return application.updater.start_polling(poll_interval=0, timeout=poll_timeout)

    async with lifecycle(application, poll):
        yield
