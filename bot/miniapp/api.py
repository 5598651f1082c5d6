"""The Mini App's HTTP side: the page, its figures, and the API it reads and answers through.

Every API request carries Telegram's signed `initData` (`Authorization: tma <initData>`):
without a good signature (401) or with one older than a day (403) nothing is read or
changed. Answers go through the same code as the chat's buttons
(`bot.handlers.session_answers.record_answer`, then the chat's own `close` for the summary),
so progression, the cobra gate, the stop at pain 8+ and the streak are the chat's. The
session's state is in the database: a session started in chat can be finished here, and
the other way round.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import tornado.web
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext

from bot import i18n, texts
from bot.domain.progression import Answer
from bot.domain.routine import estimated_minutes
from bot.handlers import figures, onboarding, session
from bot.handlers.common import SERVICES_KEY, Services, change_line, is_row_id, todays_routine
from bot.handlers.holds import GET_READY_STEPS, cancel_holds
from bot.handlers.session_answers import record_answer
from bot.handlers.session_buttons import ANSWER, CARD, END, HOLDING, PAIN_PHASE
from bot.handlers.session_close import PAIN_STOP, close
from bot.miniapp.auth import InitDataError, WebAppUser, validate_init_data
from bot.storage.database import storage_fault
from bot.storage.repository import FINISHED, STOPPED, SessionState

logger = logging.getLogger(__name__)

# Where the page lives on the bot's server; MINI_APP_URL is its public address.
PREFIX = "/miniapp"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
STAND_IN_PATH = "dev/telegram-web-app.js"
MAX_BODY_BYTES = 4096
# The page's own files, read once: (content type, bytes).
_STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
ANSWERS = {"done": Answer.done, "skip": Answer.skipped}
# The phases of an exercise the page may answer from (it times the hold itself).
ANSWERABLE = (CARD, HOLDING, ANSWER, PAIN_PHASE)


@cache
def _static(name: str) -> bytes:
    return resources.files("bot.miniapp").joinpath("static", name).read_bytes()


@dataclass(frozen=True, slots=True)
class StandIn:
    """Tests and the demo only: serve a stand-in for telegram-web-app.js (see `stand_in.py`)."""

    # The script for the page's query arguments (which user, which theme).
    script: Callable[[dict[str, str]], str]


def _labels() -> dict[str, str]:
    return {
        "title": texts.MINI_APP_TITLE,
        "start": texts.MINI_APP_START,
        "ready": texts.READY,
        "skipExercise": texts.SKIP_EXERCISE,
        "getReady": texts.MINI_APP_GET_READY,
        "holding": texts.MINI_APP_HOLDING,
        "release": texts.MINI_APP_RELEASE,
        "rest": texts.MINI_APP_REST,
        "seconds": texts.MINI_APP_SECONDS,
        "done": texts.DONE,
        "hurts": texts.HURTS,
        "skip": texts.SKIP,
        "painQuestion": texts.PAIN_IN_SESSION,
        "painLegend": texts.MINI_APP_PAIN_LEGEND,
        "finished": texts.MINI_APP_FINISHED,
        "stopped": texts.MINI_APP_STOPPED,
        "seeChat": texts.MINI_APP_SEE_CHAT,
        "nothing": texts.MINI_APP_NOTHING_TODAY,
        "close": texts.MINI_APP_CLOSE,
        "offline": texts.MINI_APP_OFFLINE,
        "tryAgain": texts.MINI_APP_TRY_AGAIN,
        "notSigned": texts.MINI_APP_NOT_SIGNED,
        "alreadyAnswered": texts.ALREADY_ANSWERED,
    }


def _exercise(svc: Services, state: SessionState) -> dict[str, Any]:
    exercise = svc.catalog.get(state.exercise_id)
    hold = state.target_hold
    sides = list(exercise.side_labels or exercise.sides)
    template = texts.MINI_APP_HOLD_EACH_SIDE if sides else texts.MINI_APP_HOLD
    return {
        "id": exercise.id,
        "name": exercise.name,
        "position": texts.MINI_APP_POSITION.format(
            position=state.position + 1, total=len(state.routine)
        ),
        "start": texts.MINI_APP_START_POSITION.format(start=exercise.start_position),
        "steps": list(exercise.steps),
        "why": texts.MINI_APP_WHY.format(purpose=exercise.purpose),
        "caution": exercise.caution,
        "hold": hold,
        "holdText": template.format(seconds=hold),
        "sides": [side[:1].upper() + side[1:] for side in sides],
        "sideRest": exercise.side_rest,
        "figure": f"figure/{exercise.id}.png" if exercise.id in svc.poses else None,
        "question": texts.ANSWER_QUESTION.format(name=exercise.name),
    }


async def state_payload(svc: Services, user_id: int) -> dict[str, Any]:
    """What the page shows now: the active session's exercise, or today's plan."""
    payload: dict[str, Any] = {
        "labels": _labels(),
        "scale": svc.settings.hold_time_scale,
        "getReady": GET_READY_STEPS,
        "session": None,
        "intro": None,
        "canStart": False,
    }
    user, state = await svc.repository.chat_state(user_id)
    if user is None or user.onboarding_step != onboarding.DONE:
        payload["intro"] = texts.SESSION_NEEDS_SETUP
        return payload
    if state is not None and state.phase != END:
        payload["session"] = {
            "id": state.id,
            "position": state.position,
            "total": len(state.routine),
            "phase": state.phase,
            "exercise": _exercise(svc, state),
        }
        return payload
    routine = await todays_routine(svc, user)
    if routine:
        payload["intro"] = texts.MINI_APP_INTRO.format(
            exercises=texts.exercises(len(routine)),
            minutes=texts.minutes(estimated_minutes(routine)),
        )
        payload["canStart"] = True
    else:
        payload["intro"] = texts.SESSION_EMPTY
    return payload


class _Base(tornado.web.RequestHandler):
    """Shared by every Mini App route: no caching of personal data, a strict policy."""

    def initialize(self, bot_application: Application, **_: object) -> None:
        self.bot_application = bot_application

    @property
    def svc(self) -> Services:
        return self.bot_application.bot_data[SERVICES_KEY]

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def write_json(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body, ensure_ascii=False))


class PageHandler(_Base):
    """GET /miniapp/: the page; with a stand-in, Telegram's script is swapped for it."""

    def initialize(self, bot_application: Application, stand_in: StandIn | None = None) -> None:
        super().initialize(bot_application)
        self.stand_in = stand_in

    def get(self) -> None:
        page = _static("index.html")
        if self.stand_in is not None:
            page = page.replace(TELEGRAM_SCRIPT.encode(), STAND_IN_PATH.encode())
            query = self.request.query
            if query:  # the stand-in's choices (a user, a theme) ride along to the script
                page = page.replace(STAND_IN_PATH.encode(), f"{STAND_IN_PATH}?{query}".encode())
        self.set_header("Content-Type", _STATIC_TYPES["index.html"])
        self.set_header(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' https://telegram.org; img-src 'self' data:; "
            "style-src 'self'; connect-src 'self'; frame-ancestors https://web.telegram.org "
            "https://*.telegram.org",
        )
        self.finish(page)


class StaticHandler(_Base):
    """GET /miniapp/static/app.js or app.css."""

    def get(self, name: str) -> None:
        self.set_header("Content-Type", _STATIC_TYPES[name])
        self.finish(_static(name))


class StandInHandler(_Base):
    """Tests and the demo: a stand-in for telegram-web-app.js, signed with their own token."""

    def initialize(self, bot_application: Application, stand_in: StandIn | None = None) -> None:
        super().initialize(bot_application)
        assert stand_in is not None
        self.stand_in = stand_in

    def get(self) -> None:
        arguments = {key: self.get_query_argument(key) for key in self.request.query_arguments}
        self.set_header("Content-Type", _STATIC_TYPES["app.js"])
        self.finish(self.stand_in.script(arguments))


class FigureHandler(_Base):
    """GET /miniapp/figure/<exercise>.png: the chat card's drawing, drawn once and kept."""

    async def get(self, exercise_id: str) -> None:
        if exercise_id not in self.svc.catalog or exercise_id not in self.svc.poses:
            self.set_status(404)
            self.finish()
            return
        png = await figures.figure_png(self.svc, exercise_id)
        self.clear_header("Cache-Control")
        self.set_header("Cache-Control", "public, max-age=86400")
        self.set_header("Content-Type", "image/png")
        self.finish(png)


class _Api(_Base):
    """An API route: the person is who Telegram signed, or nothing happens."""

    user: WebAppUser

    async def prepare(self) -> None:
        if not self._signed():
            return
        # The person's language, as in the chat: their choice, else Telegram's language_code.
        person = await self.svc.repository.get_user(self.user.id)
        stored = person.language if person is not None else None
        i18n.activate(stored if stored in i18n.SHIPPED else i18n.choose(self.user.language_code))

    def _signed(self) -> bool:
        """Whether the request carries good initData; else it is answered 401/403 here."""
        if int(self.request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES:
            self.write_json(413, {"error": "too large"})
            return False
        scheme, _, init_data = self.request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "tma":
                raise InitDataError(401, "no initData")
            now = self.svc.clock.now().timestamp()
            self.user = validate_init_data(init_data.strip(), self.svc.settings.token, now)
        except InitDataError as error:
            # Why only: initData names the person.
            logger.info("mini app: refused a request (%s)", error.reason)
            self.write_json(error.status, {"error": texts.MINI_APP_NOT_SIGNED})
            return False
        return True

    def context(self) -> CallbackContext:
        """A handler context for this person's private chat, as an update would have."""
        return CallbackContext(self.bot_application, chat_id=self.user.id, user_id=self.user.id)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None))[1]
        if error is not None and storage_fault(error) is not None:
            status_code = 503
        self.write_json(status_code, {"error": texts.MINI_APP_OFFLINE})

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # The type only, as everywhere: a message may carry what the person typed or a host.
        logger.warning("mini app: request failed (%s)", typ.__name__ if typ else "?")


class SessionHandler(_Api):
    """GET: what to show; POST: start today's session, as /session in the chat does."""

    async def get(self) -> None:
        self.write_json(200, await state_payload(self.svc, self.user.id))

    async def post(self) -> None:
        user_id = self.user.id
        active = await self.svc.repository.active_session(user_id)
        if active is None:
            # The chat's own start: its gates (an urgent hold, a see-a-doctor question), the
            # intro and the first card go to the chat too, so it can carry on there.
            await session.session_start(user_id, user_id, self.context())
        elif active.phase == END:
            # Answered to the end but not closed (the summary failed): close it, as the chat's
            # Continue does.
            await close(user_id, active, FINISHED, self.context())
        payload = await state_payload(self.svc, user_id)
        if payload["session"] is None:
            payload["note"] = texts.MINI_APP_SEE_CHAT
        self.write_json(200, payload)


class AnswerHandler(_Api):
    """POST {session, position, answer: done|hurts|skip, pain}: one exercise's answer."""

    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            session_id, position = int(body["session"]), int(body["position"])
            kind = str(body["answer"])
            pain = body.get("pain")
            if kind == "hurts":
                if not isinstance(pain, int) or isinstance(pain, bool) or not 0 <= pain <= 10:
                    raise ValueError("pain")
                answer = Answer.hurts(pain)
            else:
                answer = ANSWERS[kind]()
        except (ValueError, KeyError, TypeError):
            self.write_json(400, {"error": texts.MINI_APP_OFFLINE})
            return
        svc, user_id = self.svc, self.user.id
        state = await svc.repository.get_session(session_id) if is_row_id(session_id) else None
        if (
            state is None
            or state.user_id != user_id
            or state.status != "active"
            or state.position != position
            or state.phase not in ANSWERABLE
        ):
            await self._already(user_id)
            return
        context = self.context()
        if state.phase == HOLDING:
            cancel_holds(context, state.id)  # the chat's countdown, if it runs
        recorded = await record_answer(svc, state, answer, state.phase)
        if recorded is None:
            await self._already(user_id)
            return
        line = change_line(svc, recorded.change)
        if recorded.dropped:
            names = [svc.catalog.get(e).name for e in recorded.dropped]
            line += "\n" + texts.harder_out_today(names, svc.catalog.get(state.exercise_id).name)
        ended = None
        try:
            if recorded.stop:
                ended = STOPPED
                await close(user_id, recorded.moved, STOPPED, context, reason=PAIN_STOP)
            elif recorded.moved.phase == END:
                ended = FINISHED
                await close(user_id, recorded.moved, FINISHED, context)
        except TelegramError as error:
            # Stored and closed all the same; the chat's summary is what did not go out.
            logger.warning("mini app: summary not sent (%s)", type(error).__name__)
        payload = await state_payload(svc, user_id)
        payload["line"] = line
        if ended is not None:
            payload["ended"] = (
                texts.MINI_APP_FINISHED if ended == FINISHED else texts.MINI_APP_STOPPED
            )
            payload["session"] = None
        self.write_json(200, payload)

    async def _already(self, user_id: int) -> None:
        payload = await state_payload(self.svc, user_id)
        payload["error"] = texts.ALREADY_ANSWERED
        self.write_json(409, payload)


def routes(application: Application, stand_in: StandIn | None = None) -> list[tuple[Any, ...]]:
    """The Mini App's tornado routes (before any catch-all); the stand-in never in production."""
    args: dict[str, Any] = {"bot_application": application}
    page_args = {**args, "stand_in": stand_in}
    table: list[tuple[Any, ...]] = [
        (rf"{PREFIX}", tornado.web.RedirectHandler, {"url": f"{PREFIX}/"}),
        (rf"{PREFIX}/", PageHandler, page_args),
        (rf"{PREFIX}/static/(app\.js|app\.css)", StaticHandler, args),
        (rf"{PREFIX}/figure/([a-z0-9_]+)\.png", FigureHandler, args),
        (rf"{PREFIX}/api/session", SessionHandler, args),
        (rf"{PREFIX}/api/answer", AnswerHandler, args),
    ]
    if stand_in is not None:
        table.append((rf"{PREFIX}/{STAND_IN_PATH}", StandInHandler, page_args))
    return table
