"""Fixtures for the tests that run the bot as a real process (`python -m bot`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage.database import migrate
from tests.process.harness import Bots, Db


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "process: runs the bot as a subprocess (python -m bot) against the emulator"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.process)


@pytest.fixture
def bots(tmp_path: Path) -> Iterator[Bots]:
    """Bot processes for one test; all killed at teardown, their log tails printed."""
    made = Bots(tmp_path / "bots")
    try:
        yield made
    finally:
        made.cleanup()
        if made.made:
            print(made.tails())  # noqa: T201 - shown by pytest when the test failed


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Db]:
    """The test's database, migrated, with a Core engine of the test's own."""
    await migrate(database_url)
    handle = Db(database_url)
    yield handle
    await handle.close()
