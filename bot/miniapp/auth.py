"""Telegram Mini App `initData`: checking its signature, and (for tests and the demo) making one.

As Telegram documents it: the data-check string is every field but `hash`, sorted by key, as
`key=value` lines; the secret key is HMAC-SHA256(key="WebAppData", msg=bot token); the hash is
HMAC-SHA256(key=secret key, msg=data-check string) in hex. Pure: no telegram import, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

# Telegram's advice: initData older than a day is not to be trusted.
MAX_AGE_SECONDS = 24 * 60 * 60
# A little room for a phone whose clock runs ahead of the server's.
CLOCK_SKEW_SECONDS = 5 * 60


class InitDataError(Exception):
    """initData that must not be trusted; `status` is the HTTP answer (401 or 403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebAppUser:
    """Who opened the page, as Telegram signed it."""

    id: int
    first_name: str
    language_code: str | None
    auth_date: int


def _secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _hash(fields: dict[str, str], token: str) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret_key(token), check.encode(), hashlib.sha256).hexdigest()


def validate_init_data(
    init_data: str, token: str, now: float, *, max_age: float = MAX_AGE_SECONDS
) -> WebAppUser:
    """The signed user of `init_data`; InitDataError when it is unsigned, forged or stale.

    401: no hash, a wrong hash (a changed field, another bot's token), or no usable user;
    403: a good signature older than `max_age` seconds (or from the future).
    """
    try:
        pairs = parse_qsl(init_data or "", keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError(401, "malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError(401, "a field given twice")
    given = fields.pop("hash", "")
    if not given:
        raise InitDataError(401, "no hash")
    if not hmac.compare_digest(given.encode(), _hash(fields, token).encode()):
        raise InitDataError(401, "wrong hash")
    try:
        auth_date = int(fields.get("auth_date", ""))
    except ValueError:
        raise InitDataError(401, "no auth_date") from None
    if now - auth_date > max_age or auth_date - now > CLOCK_SKEW_SECONDS:
        raise InitDataError(403, "too old")
    try:
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, TypeError, ValueError):
        raise InitDataError(401, "no user") from None
    if isinstance(user.get("id"), bool) or user_id <= 0:
        raise InitDataError(401, "no user")
    language = user.get("language_code")
    return WebAppUser(
        id=user_id,
        first_name=str(user.get("first_name", "")),
        language_code=language if isinstance(language, str) else None,
        auth_date=auth_date,
    )


def sign_init_data(fields: dict[str, str], token: str) -> str:
    """initData as Telegram would send it for these fields (tests and the demo's stand-in)."""
    return urlencode({**fields, "hash": _hash(fields, token)})


def init_data_for(
    user_id: int, first_name: str, token: str, auth_date: int, language_code: str = "en"
) -> str:
    """Signed initData for one private-chat user, as a Mini App opened from a button gets it."""
    user = {"id": user_id, "first_name": first_name, "language_code": language_code}
    fields = {
        "auth_date": str(auth_date),
        "query_id": f"demo{user_id}",
        "user": json.dumps(user, separators=(",", ":")),
    }
    return sign_init_data(fields, token)
