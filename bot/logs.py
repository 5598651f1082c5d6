"""Logging set-up that keeps health data and the token out of the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from telegram.error import InvalidToken, NetworkError

# A bot token anywhere in a log line (httpx logs request URLs, which carry it).
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# python-telegram-bot's log lines that quote what Telegram sent or what the bot sent: updates,
# message texts, names (telegram/_bot.py, telegram/ext/_utils/webhookhandler.py).
PTB_PAYLOAD_PHRASES = ("Received data was", "received data", "with parameters", "return value")
PLACEHOLDER = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdrf]")
# An argument kept in such a line: an endpoint's name, like `getUpdates`.
IDENTIFIER = re.compile(r"[A-Za-z_]\w{0,63}")
NOT_LOGGED = "<not logged>"


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
    in its message, and the line logged with it already says what happened. PTB's own lines
    about a network error (its retry loops: Telegram unreachable, timed out) say the error's
    type and message on the same line instead of a traceback of PTB's and httpx's internals.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        _drop_ptb_payload(record)
        error = record.exc_info[1] if record.exc_info else None
        if _is_invalid_token(error):
            record.exc_info = None
            record.exc_text = None
        elif isinstance(error, NetworkError) and record.name.startswith("telegram"):
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        message = record.getMessage()
        redacted = redact(message, self.secrets)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def _drop_ptb_payload(record: logging.LogRecord) -> None:
    """Replace what a PTB line quotes (an update, a call's parameters or result) in place.

    `configure_logging` keeps `telegram` at INFO or above, where only the CRITICAL "Received
    data was" lines are left; this holds at any level, should that cap ever be lifted.
    """
    if not record.name.startswith("telegram") or not isinstance(record.msg, str):
        return
    if not record.args or not any(phrase in record.msg for phrase in PTB_PAYLOAD_PHRASES):
        return
    args = record.args if isinstance(record.args, tuple) else (record.args,)
    record.args = tuple(
        arg if isinstance(arg, str) and IDENTIFIER.fullmatch(arg) else NOT_LOGGED for arg in args
    )
    record.msg = PLACEHOLDER.sub("%s", record.msg)


def _is_invalid_token(error: BaseException | None) -> bool:
    """True for InvalidToken, or an exception caused by one (PTB re-raises it with the token)."""
    for _ in range(20):  # a chain can loop; no real one is this long
        if error is None:
            return False
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
