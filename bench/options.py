"""What every benchmark is told: how big to run, which database, where profiles go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Options:
    quick: bool = False
    # None: SQLite in a temporary directory; else a PostgreSQL server URL.
    database_url: str | None = None
    # When set, the bot process runs under cProfile and writes its profile here.
    profile_dir: Path | None = None
    # An experiment: build the bot with this HTTP connection pool size instead of PTB's 256.
    http_pool: int | None = None
    # B2c: PAID_BROADCAST_AFTER_MINUTES for the bot (None: never paid, the default).
    paid_after: float | None = None

    def profile_path(self, name: str) -> Path | None:
        if self.profile_dir is None:
            return None
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        return self.profile_dir / f"profile-{name}.txt"


def say(message: str) -> None:
    """Progress on the way to the table."""
    print(f"  {message}", flush=True)
