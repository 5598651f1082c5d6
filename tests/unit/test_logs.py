"""The bot's log filter: python-telegram-bot's lines that quote updates or API calls lose the
quoted content at any level, even with the level caps on `telegram` lifted; what names the
call (the endpoint) stays. Tracebacks are redacted too."""

from __future__ import annotations

import logging
import uuid

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.logs import RedactTokens

MARKER = f"private{uuid.uuid4().hex}"
UPDATE = {"update_id": 7, "message": {"text": MARKER, "from": {"id": 1, "last_name": MARKER}}}
TOKEN = f"7{uuid.uuid4().int % 10**9:09d}:AAH{uuid.uuid4().hex}"


def _record(name: str, level: int, msg: str, *args: object) -> logging.LogRecord:
    return logging.getLogger(name).makeRecord(name, level, __file__, 1, msg, args, None)


# What PTB 22 logs with data in it (telegram/_bot.py, telegram/ext/_utils/webhookhandler.py).
PTB_LINES = [
    ("telegram.ext.ExtBot", logging.CRITICAL, "Error while parsing updates! Received data was %r",
     [UPDATE]),
    ("telegram.ext.Updater", logging.CRITICAL,
     "Something went wrong processing the data received from Telegram. Received data was *not* "
     "processed! Received data was: %r", UPDATE),
    ("telegram.ext.Updater", logging.DEBUG, "Webhook received data: %s", str(UPDATE)),
    ("telegram.ext.ExtBot", logging.DEBUG,
     "Call to Bot API endpoint `%s` finished with return value `%s`", "getUpdates", [UPDATE]),
    ("telegram.ext.ExtBot", logging.DEBUG, "Calling Bot API endpoint `%s` with parameters `%s`",
     "sendMessage", {"chat_id": 1, "text": MARKER}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "level", "msg", "arg"), PTB_LINES[:3])
def test_ptb_lines_quoting_an_update_lose_it(name: str, level: int, msg: str, arg: object) -> None:
    record = _record(name, level, msg, arg)
    assert RedactTokens().filter(record)
    assert MARKER not in record.getMessage()
    assert "not logged" in record.getMessage()


@pytest.mark.parametrize(("name", "level", "msg", "endpoint", "arg"), PTB_LINES[3:])
def test_ptb_api_call_lines_keep_the_endpoint_only(
    name: str, level: int, msg: str, endpoint: str, arg: object
) -> None:
    record = _record(name, level, msg, endpoint, arg)
    assert RedactTokens().filter(record)
    assert MARKER not in record.getMessage()
    assert f"`{endpoint}`" in record.getMessage()


def test_the_bots_own_lines_are_left_alone() -> None:
    record = _record("bot.handlers.general", logging.INFO, "with parameters %s and %d", "x", 3)
    assert RedactTokens().filter(record)
    assert record.getMessage() == "with parameters x and 3"


def test_tokens_in_tracebacks_are_redacted_and_invalid_token_tracebacks_dropped() -> None:
    try:
        raise RuntimeError(f"failed calling https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError as error:
        record = _record("telegram.ext", logging.ERROR, "failed")
        record.exc_info = (type(error), error, error.__traceback__)
    assert RedactTokens().filter(record)
    assert TOKEN not in logging.Formatter().format(record)
    assert "<token>" in logging.Formatter().format(record)

    short = "123456:TEST-TOKEN"  # not token-shaped: redacted because it is named
    try:
        raise InvalidToken(f"The token `{short}` was rejected by the server.")
    except InvalidToken as error:
        record = _record("telegram.ext", logging.ERROR, "Invalid token. Aborting retry loop.")
        record.exc_info = (type(error), error, error.__traceback__)
    assert RedactTokens([short]).filter(record)
    assert logging.Formatter().format(record) == "Invalid token. Aborting retry loop."


def test_ptb_network_errors_are_one_line_and_the_bots_own_keep_their_traceback() -> None:
    def failing() -> logging.LogRecord:
        try:
            raise NetworkError(f"httpx.ConnectError: bot{TOKEN}/getMe unreachable")
        except NetworkError as error:
            record = _record("telegram.ext", logging.ERROR, "Failed run number %s of %s.", 0, 0)
            record.exc_info = (type(error), error, error.__traceback__)
            return record

    record = failing()
    assert RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert text == (
        "Failed run number 0 of 0. (NetworkError: httpx.ConnectError: bot<token>/getMe unreachable)"
    )

    record = failing()
    record.name = "bot.handlers.general"  # where in the bot it failed is worth its traceback
    assert RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert "Traceback" in text and TOKEN not in text
