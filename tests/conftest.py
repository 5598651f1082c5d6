"""Shared fixtures: a fresh database, an injected clock, the emulator, and the real bot.

Every test that asks for `database_url` (directly, or through `repository`, `settings` or
`bot`) runs twice: `[sqlite]` on a file in tmp_path and `[postgresql]` on a fresh database
copied from a migrated template. `pytest -k sqlite` or `-k postgresql` (also `-m ...`) picks
one. The PostgreSQL server comes from BACKCOACH_TEST_POSTGRES_URL, or is a throwaway local
cluster (see tests/postgres.py); without one, the PostgreSQL variants are skipped with the
reason shown in the summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine, migrate
from bot.storage.repository import Repository
from tests.postgres import ENV_VAR, PostgresServer, PostgresUnavailable, migrated_template
from tests.postgres import postgres_server as start_postgres_server

# A Friday morning in late November 2026, far from any DST change.
START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
# How often the bot looks for due reminders in tests, in real seconds.
TICK_SECONDS = 0.05


# The start of every skip that stands for "there was no PostgreSQL server".
POSTGRES_UNAVAILABLE = "PostgreSQL unavailable"

BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite"),
    pytest.param("postgresql", marks=pytest.mark.postgresql, id="postgresql"),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite: the test runs on SQLite (the [sqlite] variant)")
    config.addinivalue_line(
        "markers", "postgresql: the test runs on PostgreSQL (the [postgresql] variant)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A loud section above the short summary when the PostgreSQL variants did not run."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        if isinstance(longrepr, tuple) and POSTGRES_UNAVAILABLE in str(longrepr[2]):
            reason = str(longrepr[2]).removeprefix("Skipped: ")
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.section("PostgreSQL NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{count} PostgreSQL tests were SKIPPED: {reason}", red=True, bold=True
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, started lazily; skips loudly if there is none."""
    try:
        with start_postgres_server() as server:
            yield server
    except PostgresUnavailable as error:
        pytest.skip(f"{POSTGRES_UNAVAILABLE}: {error} — set {ENV_VAR} or install postgresql")


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """A database migrated to head once per session; each test gets a copy of it."""
    with migrated_template(postgres_server) as name:
        yield name


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    # Only PostgreSQL variants start (or reach) the server, so `-k sqlite` never needs one.
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template: str = request.getfixturevalue("postgres_template")
    with server.database(template=template) as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def repository(database_url: str) -> AsyncIterator[Repository]:
    await migrate(database_url)
    repo = Repository(create_engine(database_url))
    yield repo
    await repo.close()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str) -> Settings:
    return load_settings(
        env_file=None,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=database_url,
        hold_time_scale=0.02,
        # Reminders are checked every 50 ms of real time; the clock says what is due.
        reminder_tick_seconds=TICK_SECONDS,
    )


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[object]:
    """The real Application, long-polling the emulator over loopback HTTP."""
    application = build_application(settings, clock=clock)
    async with running(application, poll_timeout=1):
        yield application
