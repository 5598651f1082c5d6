"""Logging set-up that keeps health data and the token out of the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram.error import InvalidToken

# A bot token anywhere in a log line (httpx logs request URLs, which carry it).
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets, and anything shaped like a bot token, replaced."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "<token>")
    return TOKEN_PATTERN.sub("<token>", text)


def secret_parts(token: str) -> tuple[str, ...]:
    """The token and its secret part (after the colon), for `redact`."""
    return (token, token.partition(":")[2]) if token else ()


class RedactTokens(logging.Filter):
    """Replace the token (`secrets`), and anything shaped like a bot token, with a placeholder,
    in the message and in any traceback.

    A rejected token's traceback is dropped altogether: PTB's InvalidToken carries the token
    in its message, and the line logged with it already says what happened.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message, self.secrets)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and _is_invalid_token(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        elif record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def _is_invalid_token(error: BaseException | None) -> bool:
    """True for InvalidToken, or an exception caused by one (PTB re-raises it with the token)."""
    while error is not None:
        if isinstance(error, InvalidToken):
            return True
        error = error.__cause__ or error.__context__
    return False


def configure_logging(level: int, secrets: Iterable[str] = ()) -> None:
    """Root logging at `level`; chatty libraries capped so they never log update content.

    `secrets` (the token, its secret part) are redacted wherever they appear.
    """
    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens(secrets))
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
