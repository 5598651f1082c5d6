"""Logs never contain message text, names or the token, whatever the log level.

The bot is started with logging set up exactly as `python -m bot` does it
(`bot.logs.configure_logging` at the LOG_LEVEL given), with a realistic token. A person whose
first name, last name and username are unique strings goes through onboarding, a whole
session, replies outside a session, a red-flag message, garbage, odd commands and forged
buttons, each carrying a unique marker. Then neither the bot's own log output nor any log
record that reached the root logger (python-telegram-bot's, httpx's, the database
drivers' included) holds a marker, a name, the token or its secret part.
"""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from telegram.ext import Application

from bot import texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.logs import configure_logging
from tests.e2e.fuzz_updates import Forger
from tests.e2e.helpers import answer_safety_screen, hold

pytestmark = pytest.mark.e2e

# Shaped like a real token (the redaction pattern looks for that shape); unique per run.
TOKEN = f"7{uuid.uuid4().int % 10**9:09d}:AAH{uuid.uuid4().hex}"
SECRET = TOKEN.split(":", 1)[1]
# The fake Telegram server's own logs are not the bot's.
NOT_THE_BOT = ("bot.emulator", "tornado")
# The loggers configure_logging caps; restored after each test.
CAPPED = ("httpx", "httpcore", "telegram", "apscheduler")


# Where the walk puts a unique marker: typed answers, commands, edits, captions, buttons.
MARKED = (
    "zone", "time", "card", "answer", "pain", "command", "garbage", "edit", "caption",
    "button", "red_flag",
)  # fmt: skip


def _marker(kind: str) -> str:
    return f"{kind}{uuid.uuid4().hex[:12]}"


@dataclass
class Captured:
    """Log records as they reached the root logger, and the bot's formatted log output."""

    output: io.StringIO = field(default_factory=io.StringIO)
    records: list[dict[str, str]] = field(default_factory=list)


class _Snapshot(logging.Handler):
    """Keeps each record's text before any filter (the bot's redaction) can rewrite it."""

    def __init__(self, into: list[dict[str, str]]) -> None:
        super().__init__(logging.NOTSET)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception as error:  # a record that cannot format is a finding of its own
            message = f"<unformattable: {error!r}>"
        exception = ""
        if record.exc_info:
            exception = logging.Formatter().formatException(record.exc_info)
        self.into.append(
            {
                "logger": record.name,
                "level": record.levelname,
                "message": message,
                "msg": str(record.msg),
                "args": repr(record.args),
                "exception": exception + (record.exc_text or "") + (record.stack_info or ""),
            }
        )


# How logging is set up: as `python -m bot` does at LOG_LEVEL=DEBUG or INFO, or at DEBUG with
# the caps configure_logging puts on chatty libraries lifted as well.
DEBUG, INFO, UNCAPPED = "DEBUG", "INFO", "DEBUG, libraries uncapped"
LEVELS = pytest.mark.parametrize("log_setup", [DEBUG, INFO], indirect=True)


@pytest.fixture
def log_setup(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def captured(log_setup: str) -> Iterator[Captured]:
    """Logging configured as `python -m bot` does, every record captured."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, root.handlers[:]
    saved_levels = {name: logging.getLogger(name).level for name in CAPPED}
    capture = Captured()
    configure_logging(logging.INFO if log_setup == INFO else logging.DEBUG)
    if log_setup == UNCAPPED:
        for name in CAPPED:
            logging.getLogger(name).setLevel(logging.DEBUG)
    # The bot's own handler (with its token filter) writes into `output` instead of stderr.
    (bot_handler,) = root.handlers
    assert isinstance(bot_handler, logging.StreamHandler)
    bot_handler.setStream(capture.output)
    # First in line, so it sees each record before the bot's filter rewrites it.
    snapshot = _Snapshot(capture.records)
    root.handlers.insert(0, snapshot)
    try:
        yield capture
    finally:
        # Back to how it was: pytest's session-wide handlers, plus the ones pytest attached
        # for this test's teardown (its per-phase capture handlers from setup are gone).
        current = [h for h in root.handlers if h not in (snapshot, bot_handler)]
        lasting = [h for h in saved_handlers if type(h).__name__ != "LogCaptureHandler"]
        root.handlers[:] = lasting + [h for h in current if h not in lasting]
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emu:
        yield emu


@pytest.fixture
async def bot(
    settings: Settings, clock: FakeClock, captured: Captured
) -> AsyncIterator[Application]:
    """The real bot, started after logging is configured, so start-up is captured too."""
    application = build_application(settings, clock=clock)
    async with running(application, poll_timeout=1):
        yield application


def _leaks(captured: Captured, secrets: dict[str, str]) -> list[str]:
    """Where any secret shows up: the bot's output, or a record that reached the root."""
    found = []
    output = captured.output.getvalue()
    for what, secret in secrets.items():
        if secret in output:
            line = next(line for line in output.splitlines() if secret in line)
            found.append(f"{what} in the bot's log output: {line[:300]}")
    for record in captured.records:
        if record["logger"].startswith(NOT_THE_BOT):
            continue
        for what, secret in secrets.items():
            for part in ("message", "msg", "args", "exception"):
                if secret in record[part]:
                    found.append(
                        f"{what} in the {part} of a {record['level']} record from "
                        f"{record['logger']}: {record[part][:300]}"
                    )
                    break
    return found


def _person(emulator: BotApiEmulator, user_id: int, names: dict[str, str]) -> ScriptedUser:
    """A scripted user whose profile carries these first name, last name and username."""
    user = emulator.user(user_id=user_id, first_name=names["first name"])
    for key, value in (("last_name", names["last name"]), ("username", names["username"])):
        user.user[key] = value
        emulator.state.chats[user.chat_id][key] = value
    return user


def _names() -> dict[str, str]:
    return {
        "first name": _marker("First"),
        "last name": _marker("Last"),
        "username": _marker("user_"),
    }


async def _walk_through_everything(
    emulator: BotApiEmulator, user: ScriptedUser, markers: dict[str, str]
) -> None:
    """Onboarding, a session, replies outside it, a red flag, garbage and forged buttons."""
    # Onboarding, with typed answers and a couple of typed things it cannot read.
    await answer_safety_screen(user)
    await user.send_text("2")
    await user.wait_for_message("Which time zone")
    await user.send_text(f"{markers['zone']} City")
    await user.wait_for_message(texts.TIMEZONE_NOT_FOUND[:30])
    await user.send_text("Berlin")
    await user.wait_for_message("What time")
    await user.send_text(f"at {markers['time']} o'clock")
    await user.wait_for_message(texts.TIME_NOT_UNDERSTOOD[:30])
    await user.send_text("7:30")
    await user.wait_for_message("You're all set")

    # A whole session, answered by typing; one exercise hurts, with a typed score.
    await user.send_text("/session")
    await user.wait_for_message("Today's session")
    for number, answer in enumerate(("done", "hurts", "👍", "ok")):
        # The first card waits for its figure to be drawn in a fresh worker process.
        await user.wait_for_message(" of ", timeout=20)
        await user.send_text(f"{markers['card']} {number}")
        await user.wait_for_message(texts.SESSION_HINT_CARD)
        await hold(user)
        await user.send_text(f"{markers['answer']} {number}")
        await user.wait_for_message(texts.SESSION_HINT_ANSWER)
        await user.send_text(answer)
        if answer == "hurts":
            await user.wait_for_message("How much did it hurt")
            await user.send_text("3")
    await user.wait_for_message("Session complete")

    # Replies outside a session.
    await user.send_text("done")
    await user.wait_for_message(texts.ALREADY_COUNTED[:30])
    await user.send_text("hurts")
    await user.wait_for_message(texts.REPORT_PAIN)
    await user.send_text(f"{markers['pain']} a lot")
    await user.wait_for_message(texts.REPORT_HINT_PAIN[:30])
    await user.send_text("5")
    await user.wait_for_message(texts.REPORT_WHICH)
    await user.press(texts.NOT_SURE)
    await user.wait_for_message(texts.PAIN_REPORTED.format(pain=5))

    # Commands with arguments nobody could read, garbage, and forged buttons.
    await user.send_text(f"/timezone {markers['command']}")
    await user.wait_for_message(texts.TIMEZONE_NOT_FOUND[:30])
    await user.send_text(f"/remind {markers['command']}")
    await user.wait_for_message(texts.TIME_NOT_UNDERSTOOD[:30])
    await user.send_text(f"/{markers['command']} now")
    await user.send_text(f"{markers['garbage']} \u202e¿ 🤷‍♀️")
    await user.wait_for_message(texts.NOT_PLACED)
    forger = Forger(emulator)
    forger.edit(user.chat_id, user.user, f"{markers['edit']} (edited)")
    # An edit is never an answer: it is read (and must not be logged), then left alone.
    await user.wait_idle()
    photo = {"file_id": "PH1", "file_unique_id": "UPH1", "width": 90, "height": 90}
    body = {"photo": [photo], "caption": markers["caption"]}
    forger.message(user.chat_id, user.user, body, kind="photo")
    last = user.last_message
    assert last is not None
    for prefix in ("se:ready:", "rm:snz:", "rp:pain:", "ob:time:", "pv:del:", ""):
        await user.press_data(last.message_id, f"{prefix}{markers['button']}")
    await user.wait_idle()

    # Red-flag words stop everything and pause the reminders.
    await user.send_text(f"I suddenly can't control my bladder {markers['red_flag']}")
    await user.wait_for_message(texts.SAFETY_URGENT[:30])
    await user.wait_idle()


@LEVELS
async def test_logs_hold_no_text_names_or_token(
    emulator: BotApiEmulator, bot: Application, captured: Captured, log_setup: str
) -> None:
    markers = {kind: _marker(kind) for kind in MARKED}
    names = _names()
    user = _person(emulator, 424_242, names)

    await _walk_through_everything(emulator, user, markers)

    # The walk reached every corner it meant to, and logging really was on.
    assert "ready" in captured.output.getvalue()
    assert any(r["logger"].startswith("telegram") for r in captured.records)
    if log_setup == DEBUG:
        assert any(r["level"] == "DEBUG" for r in captured.records)
    secrets = {
        **{f"marker {kind!r}": value for kind, value in markers.items()},
        **names,
        "the token": TOKEN,
        "the token's secret part": SECRET,
    }
    assert _leaks(captured, secrets) == []
    assert not [r for r in captured.records if r["level"] in ("ERROR", "CRITICAL")]


# A statement that stores health data; logged with its parameters, it ties them to the person.
HEALTH_WRITE = re.compile(
    r"INSERT INTO (pain_reports|exercise_results|exercise_progress)|UPDATE exercise_progress"
    r"|(starting_pain|report_pain)\s*=",
    re.IGNORECASE,
)


@LEVELS
async def test_logs_hold_no_health_data(
    request: pytest.FixtureRequest,
    emulator: BotApiEmulator,
    bot: Application,
    captured: Captured,
    log_setup: str,
    database_url: str,
) -> None:
    user = _person(emulator, 424_243, _names())
    await answer_safety_screen(user)
    await user.send_text("6")
    await user.wait_for_message("Which time zone")
    await user.send_text("Berlin")
    await user.wait_for_message("What time")
    await user.send_text("7:30")
    await user.wait_for_message("You're all set")
    await user.send_text("hurts")
    await user.wait_for_message(texts.REPORT_PAIN)
    await user.send_text("2")
    await user.wait_for_message(texts.PAIN_REPORTED.format(pain=2))
    await user.wait_idle()

    person = str(user.user_id)
    tied = [
        f"{r['level']} {r['logger']}: {r['message'][:300]}"
        for r in captured.records
        if not r["logger"].startswith(NOT_THE_BOT)
        and person in r["message"] + r["args"]
        and HEALTH_WRITE.search(r["message"] + r["args"])
    ]
    assert tied == []


@pytest.mark.parametrize("log_setup", [UNCAPPED], indirect=True)
@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
async def test_token_is_redacted_even_with_libraries_at_debug(
    emulator: BotApiEmulator,
    settings: Settings,
    clock: FakeClock,
    captured: Captured,
    client: str,
) -> None:
    """Lift the caps and the libraries log the token (PTB its API URL; httpx every request
    URL): the bot's filter still holds. aiohttp, the default HTTP client, logs no URL."""
    application = build_application(
        settings.model_copy(update={"http_client": client}), clock=clock
    )
    async with running(application, poll_timeout=1):
        user = _person(emulator, 424_244, _names())
        await user.send_text("/help")
        await user.wait_for_message(texts.HELP.splitlines()[0])
        await user.wait_idle()
    output = captured.output.getvalue()
    by_client = [r for r in captured.records if r["logger"].startswith(client)]
    # The libraries did log the token (so the filter had something to do)...
    assert any(TOKEN in r["message"] for r in captured.records)
    assert any(TOKEN in r["message"] for r in by_client) is (client == "httpx")
    assert "<token>" in output
    # ...and none of it reached the bot's log output.
    assert TOKEN not in output
    assert SECRET not in output
