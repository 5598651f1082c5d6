"""Fuzzing the running bot with random and malformed updates of every kind.

One real Application long-polls the emulator for the whole test; Hypothesis generates
batches of update descriptions (`tests/e2e/fuzz_updates.py`: odd and huge texts, unknown
commands, forged, stolen, stale and double-tapped buttons, edited messages, stickers,
photos, locations at the poles, group and channel updates, the bot being blocked, the
clock jumping ahead) that are queued at once, from a newcomer, people half-way through
setting up, people who are set up and one in a session. After each batch, once the bot
has settled: nothing was logged at ERROR (the error handler logs every unhandled exception
there), everyone in the pool and a brand-new person get an answer to /help, and the
database is consistent.

Bugs the fuzzer found are pinned by the tests at the end (strict xfails while unfixed, which
the fuzzer recognises through KNOWN_BUGS so it keeps looking for others).
`FUZZ_EXAMPLES=500 pytest tests/e2e/test_fuzz.py` runs longer.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import Application, ContextTypes

from bot import i18n, texts
from bot.clock import FakeClock
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.storage.database import create_engine
from tests.e2e.fuzz_updates import Forger, Op, ops
from tests.e2e.helpers import answer_safety_screen, onboard

pytestmark = pytest.mark.e2e


def _help_starts() -> frozenset[str]:
    """/help's first line in every shipped language: a fuzzed press on /language's keyboard
    may have chosen any of them for a person."""
    starts = set()
    for language in i18n.SHIPPED:
        with i18n.using(language):
            starts.add(texts.HELP.splitlines()[0])
    return frozenset(starts)


HELP_STARTS = _help_starts()
# Batches of 30-90 updates: some 1,300 updates on SQLite and 500 on PostgreSQL, plus the
# /help checks; FUZZ_EXAMPLES=<batches per backend> runs longer.
_SCALE = os.environ.get("FUZZ_EXAMPLES")
EXAMPLES = {"sqlite": int(_SCALE or 20), "postgresql": int(_SCALE or 8)}
BATCH = (30, 90)


# --- what went wrong -----------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def problems() -> Iterator[_Collect]:
    """Every WARNING or worse logged anywhere (bot, python-telegram-bot, the emulator)."""
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@dataclass
class Failure:
    """An exception the Application passed to its error handlers, with its update."""

    update: Any
    error: BaseException


@pytest.fixture
def failures(bot: Application) -> list[Failure]:
    """Updates whose handling raised: a second error handler, only to name the update."""
    found: list[Failure] = []

    async def remember(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        shown = update.to_dict() if hasattr(update, "to_dict") else update
        found.append(Failure(shown, context.error))  # type: ignore[arg-type]

    bot.add_error_handler(remember)
    return found


def _describe(record: logging.LogRecord) -> str:
    described = f"{record.levelname} {record.name}: {record.getMessage()}"
    if record.exc_info:
        described += "\n" + logging.Formatter().formatException(record.exc_info)
    return described


# Failures the fuzzer found that an xfail test below pins down: recognised by exception
# type, a piece of its message and a function on the traceback, so the fuzzer can go on
# looking for new ones. Delete an entry once its bug is fixed (its test then XPASSes).
KNOWN_BUGS: dict[str, tuple[tuple[str, ...], str, str]] = {}


def known_bug(error: BaseException | None) -> str | None:
    """The KNOWN_BUGS key this exception matches, if any."""
    if error is None:
        return None
    functions = []
    tb = error.__traceback__
    while tb is not None:
        functions.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    for key, (types, message, function) in KNOWN_BUGS.items():
        if (
            type(error).__name__ in types
            and message in str(error)
            and any(function in name for name in functions)
        ):
            return key
    return None


def new_errors(problems: _Collect, failures: list[Failure]) -> list[str]:
    """ERROR records (and the updates behind them) that are not a known bug."""
    unknown = []
    for record in problems.records:
        if record.levelno < logging.ERROR:
            continue
        error = record.exc_info[1] if record.exc_info else None
        if known_bug(error) is None:
            culprits = [f.update for f in failures if f.error is error]
            shown = json.dumps(culprits, ensure_ascii=False, default=str)[:4000]
            unknown.append(f"{_describe(record)}\nupdate: {shown}")
    return unknown


# --- the people ------------------------------------------------------------------------------


@dataclass
class Pool:
    """Who sends the fuzzed updates: a newcomer for each batch, then the same six people."""

    forger: Forger
    fixed: list[ScriptedUser]
    newcomer_ids: Iterator[int] = field(default_factory=lambda: itertools.count(60_001))

    def newcomer(self, name: str = "Newcomer") -> ScriptedUser:
        return self.forger.person(next(self.newcomer_ids), name)

    def senders(self) -> list[ScriptedUser]:
        return [self.newcomer(), *self.fixed]


@pytest.fixture
async def pool(emulator: BotApiEmulator, bot: Application) -> Pool:
    """Three people set up (zones a day apart), one in a session, two still setting up."""
    forger = Forger(emulator)
    fixed = []
    for user_id, zone, at in (
        (51_001, "Berlin", "7:30"),
        (51_002, "UTC+14", "8:01"),
        (51_003, "UTC-12", "19:30"),
    ):
        person = forger.person(user_id, "Set", last_name="Up", username=f"user{user_id}")
        await onboard(person, zone=zone, at=at)
        fixed.append(person)
    in_session = forger.person(51_004, "Busy")
    await onboard(in_session)
    await in_session.press(texts.START_SESSION)
    await in_session.wait_for_message(" of ", timeout=20)
    at_pain = forger.person(51_005, "Halfway")
    await answer_safety_screen(at_pain)
    at_consent = forger.person(51_006, "Unsure")
    await at_consent.send_text("/start")
    await at_consent.wait_for_message("quick safety check")
    await at_consent.press(texts.NO_NONE_APPLY)
    await at_consent.wait_for_message("do any of these apply")
    await at_consent.press(texts.NO_NONE_APPLY)
    await at_consent.wait_for_message("keep some health information")
    fixed += [in_session, at_pain, at_consent]
    return Pool(forger, fixed)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


# --- settling and checking ---------------------------------------------------------------


async def settle(
    emulator: BotApiEmulator,
    application: Application,
    *,
    quiet: float = 0.15,
    timeout: float = 60.0,  # noqa: ASYNC109
) -> None:
    """Wait until every queued update was fetched and handled and no chat saw a request lately."""
    state = emulator.state
    deadline = time.monotonic() + timeout
    calm = 0
    while calm < 3:
        now = time.monotonic()
        busy = (
            any(u["update_id"] > state.max_delivered_update_id for _, u in state.pending)
            or not application.update_queue.empty()
            or application.update_processor.current_concurrent_updates > 0
            or any(now - at < quiet for at in state.last_activity.values())
        )
        calm = 0 if busy else calm + 1
        if now > deadline:
            raise AssertionError(f"the bot was still busy after {timeout} s")
        await state.changed(0.05)


# Invariants of the stored data, each a query that returns the rows breaking it.
INVARIANTS = {
    "session without its user": "SELECT s.id, s.user_id FROM training_sessions s "
    "LEFT JOIN users u ON u.id = s.user_id WHERE u.id IS NULL",
    "answer without its session": "SELECT r.id FROM exercise_results r "
    "LEFT JOIN training_sessions s ON s.id = r.session_id WHERE s.id IS NULL",
    "progress without its user": "SELECT p.user_id, p.exercise_id FROM exercise_progress p "
    "LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL",
    "pain report without its user": "SELECT p.id FROM pain_reports p "
    "LEFT JOIN users u ON u.id = p.user_id WHERE u.id IS NULL",
    "reminder log without its user": "SELECT l.user_id, l.local_date FROM reminder_log l "
    "LEFT JOIN users u ON u.id = l.user_id WHERE u.id IS NULL",
    "hold out of 5..60": "SELECT user_id, exercise_id, target_hold FROM exercise_progress "
    "WHERE target_hold NOT BETWEEN 5 AND 60 OR start_hold NOT BETWEEN 5 AND 60",
    "negative streak": "SELECT user_id, exercise_id FROM exercise_progress WHERE "
    "pain_free_streak < 0 OR high_pain_streak < 0 OR ceiling_pain_free_streak < 0 "
    "OR sessions_until_return < 0",
    "pain out of 0..10": "SELECT id, pain FROM pain_reports WHERE pain NOT BETWEEN 0 AND 10",
    "answer pain out of 0..10": "SELECT id, pain FROM exercise_results "
    "WHERE pain IS NOT NULL AND pain NOT BETWEEN 0 AND 10",
    "level out of 1..3": "SELECT id, level FROM users WHERE level NOT BETWEEN 1 AND 3",
    "user pain out of 0..10": "SELECT id FROM users WHERE starting_pain NOT BETWEEN 0 AND 10 "
    "OR report_pain NOT BETWEEN 0 AND 10",
    "unknown onboarding step": "SELECT id, onboarding_step FROM users WHERE onboarding_step "
    "NOT IN ('red_flags', 'see_doctor', 'consent', 'pain', 'timezone', 'reminder_time', 'done')",
    "unknown report step": "SELECT id, report_step FROM users WHERE report_step IS NOT NULL "
    "AND report_step NOT IN ('check', 'pain', 'which', 'done_pain', 'done_which')",
    "health data without consent": "SELECT u.id FROM users u JOIN pain_reports p "
    "ON p.user_id = u.id WHERE u.consented_at IS NULL",
    "more than one active session": "SELECT user_id, COUNT(*) FROM training_sessions "
    "WHERE status = 'active' GROUP BY user_id HAVING COUNT(*) > 1",
    "unknown session status or phase": "SELECT id, status, phase FROM training_sessions "
    "WHERE status NOT IN ('active', 'finished', 'stopped') OR phase NOT IN "
    "('card', 'holding', 'answer', 'pain', 'end', 'closed')",
    "negative position or side": "SELECT id FROM training_sessions WHERE position < 0 OR side < 0",
    "finished session without its day": "SELECT id FROM training_sessions "
    "WHERE status = 'finished' AND local_date IS NULL",
    "set-up person without zone or time": "SELECT id FROM users WHERE onboarding_step = 'done' "
    "AND (timezone IS NULL OR reminder_time IS NULL)",
}


async def broken_invariants(engine: AsyncEngine) -> dict[str, list[tuple]]:
    """Each broken invariant with (up to five of) the rows breaking it."""
    broken: dict[str, list[tuple]] = {}
    async with engine.connect() as connection:
        for name, query in INVARIANTS.items():
            rows = (await connection.execute(text(query))).all()
            if rows:
                broken[name] = [tuple(row) for row in rows[:5]]
        # A session never points past the end of its own routine.
        sessions = await connection.execute(
            text("SELECT id, routine, position FROM training_sessions")
        )
        for session_id, routine, position in sessions:
            length = len([item for item in routine.split(",") if item])
            if position >= max(length, 1):
                broken.setdefault("position past the routine", []).append((session_id, position))
    return broken


async def everyone_answered(people: list[ScriptedUser]) -> None:
    """Each person's next valid update, /help, is answered (no one is stuck)."""
    for person in people:
        await person.send_text("/help")
    for person in people:
        await person.wait_for_message(
            predicate=lambda message: message.text.startswith(tuple(HELP_STARTS)),
            timeout=20,
        )


# --- the fuzz test -------------------------------------------------------------------------


@dataclass
class Rig:
    """Everything a fuzzing batch needs: the people, the bot, its clock, its database."""

    pool: Pool
    emulator: BotApiEmulator
    bot: Application
    clock: FakeClock
    engine: AsyncEngine
    problems: _Collect
    failures: list[Failure]


@pytest.fixture
def rig(
    pool: Pool,
    emulator: BotApiEmulator,
    bot: Application,
    clock: FakeClock,
    engine: AsyncEngine,
    problems: _Collect,
    failures: list[Failure],
) -> Rig:
    return Rig(pool, emulator, bot, clock, engine, problems, failures)


async def run_batch(batch: list[Op], rig: Rig) -> None:
    """Queue one batch, let the bot settle, then check the logs, the answers, the database."""
    rig.problems.records.clear()
    rig.failures.clear()
    senders = rig.pool.senders()
    for number, op in enumerate(batch):
        if op.kind == "clock":
            rig.clock.advance(timedelta(minutes=op.value))
        elif op.kind == "pause":  # let the bot catch up, so the next presses go deeper
            await settle(rig.emulator, rig.bot, quiet=0.05)
        else:
            rig.pool.forger.run(op, senders)
        if number % 8 == 7:
            await rig.emulator.state.changed(0.001)  # the bot starts on them as they come
    await settle(rig.emulator, rig.bot)

    errors = new_errors(rig.problems, rig.failures)
    assert not errors, "errors were logged:\n\n" + "\n\n".join(errors)
    await everyone_answered([rig.pool.newcomer("Fresh"), *senders])
    broken = await broken_invariants(rig.engine)
    assert not broken, f"database invariants broken: {broken}"


fuzz_settings = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    # The bot keeps its state from one batch to the next, so a failing batch cannot be
    # replayed on its own: shrinking would chase a moving target. The failure message names
    # the update that failed instead.
    phases=[Phase.explicit, Phase.generate],
    database=None,
)
# Now and then the clock jumps ahead (reminders fall due), or the batch pauses until the
# bot has caught up (so the next presses reach deeper into a flow).
_clock = st.builds(Op, st.just("clock"), st.just(0), st.integers(1, 36 * 60))
_pause = st.just(Op("pause", 0))
_ops = ops()
batches = st.lists(
    st.integers(0, 19).flatmap(lambda n: _clock if n == 18 else _pause if n == 19 else _ops),
    min_size=BATCH[0],
    max_size=BATCH[1],
)


def _only(backend: str):
    marks = pytest.mark.sqlite if backend == "sqlite" else pytest.mark.postgresql
    return pytest.mark.parametrize(
        "database_url", [pytest.param(backend, marks=marks, id=backend)], indirect=True
    )


@_only("sqlite")
@settings(fuzz_settings, max_examples=EXAMPLES["sqlite"])
@given(batch=batches)
async def test_random_updates_sqlite(batch: list[Op], rig: Rig) -> None:
    note(f"batch: {batch}")
    await run_batch(batch, rig)


@_only("postgresql")
@settings(fuzz_settings, max_examples=EXAMPLES["postgresql"])
@given(batch=batches)
async def test_random_updates_postgresql(batch: list[Op], rig: Rig) -> None:
    note(f"batch: {batch}")
    await run_batch(batch, rig)


# --- the bugs it found, one update each ----------------------------------------------------


async def _press(
    forger: Forger,
    person: ScriptedUser,
    data: str,
    *,
    message_id: int | None = None,
    times: int = 1,
    old: bool = False,
) -> None:
    """Press a (possibly forged) button on one of the bot's messages to this person.

    `times` queues the same press again before the bot has seen the first (a double tap:
    each carries the message as it was shown); `old` sends it for a message too old for
    Telegram to include (an InaccessibleMessage: date 0, no content).
    """
    messages = forger.bot_messages(person.chat_id)
    message = next(m for m in messages if m.message_id == message_id) if message_id else None
    message = message or messages[-1]
    for _ in range(times):
        if old:
            forger.callback(
                person.user, person.chat_id, data, None, inaccessible_id=message.message_id
            )
        else:
            forger.callback(person.user, person.chat_id, data, message)


def _with_button(label: str):
    return lambda message: any(label in button for row in message.buttons for button in row)


def _errors(problems: _Collect) -> list[str]:
    return [_describe(r) for r in problems.records if r.levelno >= logging.ERROR]


async def _at_pain_step(emulator: BotApiEmulator) -> tuple[Forger, ScriptedUser]:
    forger = Forger(emulator)
    person = forger.person(52_001, "Halfway")
    await answer_safety_screen(person)
    return forger, person


# Beyond SQLite's 64-bit integers; beyond PostgreSQL's INTEGER only; no row's id at all.
@pytest.mark.parametrize("session_id", [2**63, 2**31, 0, -(2**63) - 1])
async def test_session_button_with_a_huge_session_id(
    emulator: BotApiEmulator, bot: Application, problems: _Collect, session_id: int
) -> None:
    forger = Forger(emulator)
    person = forger.person(52_002, "Curious")
    await person.send_text("/start")
    await person.wait_for_message("quick safety check")
    await _press(forger, person, f"se:ready:{session_id}.0.0")
    await settle(emulator, bot)
    assert _errors(problems) == []
    assert person.callback_answers == [texts.STALE_SESSION_BUTTON]


@pytest.mark.parametrize("flow", ["onboarding", "report"])
async def test_pain_button_with_a_superscript_digit(
    emulator: BotApiEmulator, bot: Application, problems: _Collect, flow: str
) -> None:
    if flow == "onboarding":
        forger, person = await _at_pain_step(emulator)
        data = "ob:pain:²"
    else:
        forger = Forger(emulator)
        person = forger.person(52_003, "Sore")
        await onboard(person)
        await person.send_text("hurts")
        await person.wait_for_message(texts.REPORT_PAIN)
        data = "rp:pain:²"
    await _press(forger, person, data)
    await settle(emulator, bot)
    assert _errors(problems) == []
    await everyone_answered([person])


@pytest.mark.parametrize("data", ["pv:del:no", "rm:time:0800"])
async def test_privacy_button_forged_onto_an_exercise_card(
    emulator: BotApiEmulator, bot: Application, problems: _Collect, data: str
) -> None:
    forger = Forger(emulator)
    person = forger.person(52_004, "Busy")
    await onboard(person)
    await person.press(texts.START_SESSION)
    card = await person.wait_for_message(" of ", timeout=20)
    assert card.kind != "text"
    await _press(forger, person, data, message_id=card.message_id)
    await settle(emulator, bot)
    assert _errors(problems) == []
    # The card is left as it was, buttons and all.
    shown = next(m for m in person.transcript if m.message_id == card.message_id)
    assert (shown.caption, shown.buttons) == (card.caption, card.buttons)


@pytest.mark.parametrize("button", ["pain 8", "remind 08:00", "keep my data"])
async def test_double_tap(
    emulator: BotApiEmulator, bot: Application, problems: _Collect, button: str
) -> None:
    if button == "pain 8":
        forger, person = await _at_pain_step(emulator)
        data = "ob:pain:8"
    else:
        forger = Forger(emulator)
        person = forger.person(52_005, "Twice")
        await onboard(person)
        if button == "remind 08:00":
            await person.send_text("/remind")
            await person.wait_for_message(predicate=_with_button("08:00"))
            data = "rm:time:0800"
        else:
            await person.send_text("/delete")
            await person.wait_for_message(predicate=_with_button(texts.DELETE_NO))
            data = "pv:del:no"
    await _press(forger, person, data, times=2)
    await settle(emulator, bot)
    assert _errors(problems) == []
    shown = [m.text for m in person.transcript]
    assert texts.SOMETHING_WENT_WRONG not in shown
    # The second tap is recognised as one and ignored: the answer comes once.
    answer = {
        "pain 8": texts.PAIN_TOO_HIGH_TODAY,
        "remind 08:00": "every day at 08:00",
        "keep my data": texts.DELETE_CANCELLED,
    }[button]
    assert len([text for text in shown if text and answer in text]) == 1


@pytest.mark.parametrize("flow", ["remind", "onboarding"])
async def test_button_on_a_message_too_old_to_show_keeps_the_question(
    emulator: BotApiEmulator, bot: Application, problems: _Collect, flow: str
) -> None:
    if flow == "remind":
        forger = Forger(emulator)
        person = forger.person(52_006, "Later")
        await onboard(person)
        await person.send_text("/remind")
        question = await person.wait_for_message(predicate=_with_button("08:00"))
        data, answer = "rm:time:0800", "every day at 08:00"
    else:
        forger, person = await _at_pain_step(emulator)
        question = next(m for m in person.transcript if m.text == texts.PAIN_QUESTION)
        data, answer = "ob:pain:3", texts.PAIN_NOTED.format(pain=3)
    await _press(forger, person, data, old=True)
    await person.wait_for_message(answer)
    await settle(emulator, bot)
    assert _errors(problems) == []
    # The press counts; the question, which the press did not show, stays as it was.
    shown = next(m for m in person.transcript if m.message_id == question.message_id)
    assert shown.text == question.text
