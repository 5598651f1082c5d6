"""Logging set-up that keeps health data and the token out of the logs."""

from __future__ import annotations

import logging
import re

# A bot token anywhere in a log line (httpx logs request URLs, which carry it).
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactTokens(logging.Filter):
    """Replace anything shaped like a bot token with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_PATTERN.search(message):
            record.msg = TOKEN_PATTERN.sub("<token>", message)
            record.args = None
        return True


def configure_logging(level: int) -> None:
    """Root logging at `level`; chatty libraries capped so they never log update content."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL (with the token) at INFO; PTB logs updates at DEBUG.
    for name, floor in (
        ("httpx", logging.WARNING),
        ("httpcore", logging.WARNING),
        ("telegram", logging.INFO),
        ("apscheduler", logging.WARNING),
        # The database drivers log each statement's parameters: pain scores, settings.
        ("aiosqlite", logging.INFO),
        ("asyncpg", logging.INFO),
        ("sqlalchemy", logging.WARNING),
    ):
        logging.getLogger(name).setLevel(max(level, floor))
