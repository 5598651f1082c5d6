"""The truth under storage faults (issue 13, point 8), with the bot as a real process.

- Disk full: SQLite on a 4 MB tmpfs (mounted here; skipped where mounting is not allowed),
  filled up by the test. A Done pressed then is not stored and never called saved: the person
  is told it was not saved and asked to try again later, or, when the update inbox cannot
  keep the update either, it waits at Telegram (503) and is handled once there is room.
  /healthz answers 503 until writes work again, then 200.
- The database down when a hold ends: "Release" shows, recording it fails, and it is tried
  again until the database is back; then the question comes and the session is not left in
  `holding`. PostgreSQL refuses connections to the bot's database (and drops the open
  ones); SQLite's write lock is held from outside.
- PostgreSQL's pool exhausted (DATABASE_POOL_SIZE=1): the person waiting for a connection is
  told the bot is busy, and /healthz, on its own connection, still answers 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import migrate
from bot.storage.models import ExerciseResult, TrainingSession
from tests.process.harness import BotProcess, Bots, Db, database_down, eventually

SECRET = "storage-faults_secret-0123456789"
STEP_TIMEOUT = 15.0
# Told a write was not saved: no claim that anything was.
NOT_SAVED = "couldn't save that"
BUSY = "busy right now"
SAVED_CLAIM = "Everything you've told me is saved"
POSTGRESQL_ONLY = pytest.mark.parametrize(
    "database_url",
    [pytest.param("postgresql", marks=pytest.mark.postgresql, id="postgresql")],
    indirect=True,
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _start_webhook_bot(
    bots: Bots, emulator: BotApiEmulator, database_url: str, **settings: object
) -> tuple[BotProcess, str]:
    """`python -m bot --webhook` on a free loopback port; returns it and its /healthz URL."""
    emulator.allow_insecure_webhook = True
    port = _free_port()
    bot = await bots.start(
        emulator,
        database_url,
        args=("--webhook",),
        WEBHOOK_LISTEN="127.0.0.1",
        PORT=port,
        WEBHOOK_PATH="telegram",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET=SECRET,
        **settings,
    )
    health = f"http://127.0.0.1:{port}/healthz"
    await eventually(lambda: _health(health) == 200, 20, "/healthz 200 at start", bots=bots)
    return bot, health


def _health(url: str) -> int:
    """/healthz's status (0: no answer within 5 s)."""
    try:
        return httpx.get(url, timeout=5, trust_env=False).status_code
    except httpx.HTTPError:
        return 0


async def _health_status(url: str) -> int:
    return await asyncio.to_thread(_health, url)


async def _results(db: Db, user_id: int) -> list[tuple[str, str]]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            select(ExerciseResult.exercise_id, ExerciseResult.answer)
            .join(TrainingSession, TrainingSession.id == ExerciseResult.session_id)
            .where(TrainingSession.user_id == user_id)
            .order_by(ExerciseResult.id)
        )
        return [(exercise, answer) for exercise, answer in rows]


async def _session_phase(db: Db, user_id: int) -> tuple[str, str]:
    async with db.engine.connect() as connection:
        row = (
            await connection.execute(
                select(TrainingSession.status, TrainingSession.phase)
                .where(TrainingSession.user_id == user_id)
                .order_by(TrainingSession.id.desc())
            )
        ).first()
        assert row is not None
        return row.status, row.phase


# Disk full ----------------------------------------------------------------------------------

DISK_BYTES = 4 * 1024 * 1024


@contextlib.contextmanager
def _small_tmpfs(where: Path) -> Iterator[Path]:
    """A 4 MB tmpfs at `where` (skips the test when this machine does not allow the mount)."""
    where.mkdir(parents=True)
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command: cannot make a small tmpfs")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        # Lazy: a process killed just now may still hold the database open for a moment.
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(path: Path) -> int:
    """Write `path` until the file system is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 4096
    with path.open("wb", buffering=0) as filler:
        while True:
            try:
                written += filler.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                return written


async def test_disk_full_says_what_was_not_saved_and_health_is_503_until_writes_work(
    bots: Bots, tmp_path: Path
) -> None:
    person = 8_801
    with _small_tmpfs(tmp_path / "disk") as disk:
        database_url = f"sqlite+aiosqlite:///{disk / 'bot.sqlite3'}"
        await migrate(database_url)
        db = Db(database_url)
        try:
            await db.seed_onboarded(person)
            async with BotApiEmulator() as emulator:
                user = emulator.user(person)
                bot, health = await _start_webhook_bot(bots, emulator, database_url)
                await user.send_text("/session")
                await user.wait_for_message("1 of 4", timeout=STEP_TIMEOUT)
                await user.press(texts.READY)
                await user.wait_for_message("How did", timeout=STEP_TIMEOUT)

                filler = disk / "filler"
                assert await asyncio.to_thread(_fill, filler) > 0
                asked = len(user.transcript)
                await user.press(texts.DONE)

                async def unhealthy() -> bool:
                    return await _health_status(health) == 503

                await eventually(unhealthy, 10, "/healthz 503 while writes fail", bots=bots)
                await asyncio.sleep(1.0)
                # Told at once that it was not saved; or, where updates are kept in an inbox
                # first, not taken in until it can be kept. Never "saved", never the next card.
                after = [m.text for m in user.transcript[asked:]]
                assert all(NOT_SAVED in text and "try again" in text for text in after), after
                told = bool(after)
                assert await _results(db, person) == []
                # Still 503 a moment later: nothing has been written since.
                assert await _health_status(health) == 503

                filler.unlink()

                async def healthy() -> bool:
                    return await _health_status(health) == 200

                await eventually(healthy, 10, "/healthz 200 once writes work", bots=bots)
                if told:  # trying again works: the same question is still open
                    await user.press(texts.DONE)
                await user.wait_for_message("2 of 4", timeout=30)
                assert await _results(db, person) == [("cat", "done")]
                assert await _health_status(health) == 200
                assert not [m for m in user.transcript if SAVED_CLAIM in m.text]
                bot.cleanup()  # before the tmpfs goes
        finally:
            await db.close()


# The database down when a hold ends -------------------------------------------------------

# Holds five times shorter than real: cat's 15 s hold takes 3 s.
HOLD_SCALE = 0.2
# PostgreSQL refuses at once. SQLite's writers queue for the write lock and each waits out
# the busy timeout (5 s): long enough for the hold's write to fail behind another one.
OUTAGE_SECONDS = {"postgresql": 5.0, "sqlite": 12.0}


async def test_a_hold_ending_while_the_database_is_down_goes_on_once_it_is_back(
    bots: Bots, db: Db, database_url: str
) -> None:
    person = 8_802
    await db.seed_onboarded(person)
    async with BotApiEmulator() as emulator:
        user = emulator.user(person)
        # No reminder tick in the way: on SQLite it would queue its writes before the hold's.
        bot = await bots.start(
            emulator, database_url, HOLD_TIME_SCALE=HOLD_SCALE, REMINDER_TICK_SECONDS=300
        )
        await user.send_text("/session")
        await user.wait_for_message("1 of 4", timeout=STEP_TIMEOUT)
        await user.press(texts.READY)
        countdown = await user.wait_for_message("Get ready", timeout=STEP_TIMEOUT)
        await user.wait_for_edit(countdown.message_id, contains="Hold", timeout=STEP_TIMEOUT)
        assert await _session_phase(db, person) == ("active", "holding")
        async with database_down(database_url):
            await user.wait_for_edit(countdown.message_id, contains="Release", timeout=STEP_TIMEOUT)
            await asyncio.sleep(OUTAGE_SECONDS[make_url(database_url).get_backend_name()])
            assert not [m for m in user.transcript if "How did" in m.text]
        question = await user.wait_for_message("How did", timeout=30)
        assert texts.DONE in [label for row in question.buttons for label in row]
        assert await _session_phase(db, person) == ("active", "answer")
        await user.press(texts.DONE)
        await user.wait_for_message("2 of 4", timeout=STEP_TIMEOUT)
        assert await _results(db, person) == [("cat", "done")]
        assert "trying again" in bot.log()
        assert not [m for m in user.transcript if SAVED_CLAIM in m.text]


# An exhausted pool --------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _users_locked(database_url: str) -> AsyncIterator[None]:
    """Every query of the bot's that reads `users` waits, holding its pooled connection."""
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False), timeout=10)
    try:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        yield
        await transaction.rollback()
    finally:
        await connection.close()


@POSTGRESQL_ONLY
async def test_an_exhausted_pool_says_busy_and_health_stays_200(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = [8_803, 8_804, 8_805]
    for person in people:
        await db.seed_onboarded(person)
    async with BotApiEmulator() as emulator:
        users = [emulator.user(person) for person in people]
        bot, health = await _start_webhook_bot(
            bots, emulator, database_url, DATABASE_POOL_SIZE=1, DATABASE_POOL_TIMEOUT=1
        )
        async with _users_locked(database_url):
            for user in users:
                await user.send_text("/stats")
            # The one pooled connection waits on the lock; everything else times out waiting
            # for it (an update not yet kept in the inbox, where there is one, waits at
            # Telegram instead: its delivery gets 503).
            await eventually(lambda: "TimeoutError" in bot.log(), 15, "the pool exhausted")
            await asyncio.sleep(1.5)
            # The health check has a connection of its own: a busy pool is not a dead bot.
            assert await _health_status(health) == 200
            assert await _health_status(health) == 200
            busy = [user for user in users if any(BUSY in m.text for m in user.transcript)]
        for user in users:
            # Each is answered once the lock is gone, or was told the bot is busy.
            if user not in busy:
                await user.wait_for_message("Your progress", timeout=30)
            assert not [m for m in user.transcript if NOT_SAVED in m.text or SAVED_CLAIM in m.text]
        assert await _health_status(health) == 200
