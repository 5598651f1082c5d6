"""Mini App initData: a good signature passes; anything changed, stale or unsigned fails."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.miniapp.auth import (
    MAX_AGE_SECONDS,
    InitDataError,
    init_data_for,
    sign_init_data,
    validate_init_data,
)

TOKEN = "123456:TEST-TOKEN"
NOW = 1_800_000_000


def _fields(init_data: str) -> dict[str, str]:
    return dict(parse_qsl(init_data, keep_blank_values=True))


def _status(init_data: str, token: str = TOKEN, now: float = NOW) -> int:
    with pytest.raises(InitDataError) as caught:
        validate_init_data(init_data, token, now)
    return caught.value.status


def test_a_good_signature_passes() -> None:
    user = validate_init_data(init_data_for(42, "Ann", TOKEN, NOW - 60), TOKEN, NOW)
    assert (user.id, user.first_name, user.language_code, user.auth_date) == (
        42,
        "Ann",
        "en",
        NOW - 60,
    )


def test_the_hash_is_telegrams() -> None:
    """Computed here the way Telegram documents it, independently of the module."""
    fields = {"auth_date": str(NOW), "query_id": "AAH", "user": json.dumps({"id": 7})}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert _fields(sign_init_data(fields, TOKEN))["hash"] == expected
    assert validate_init_data(urlencode({**fields, "hash": expected}), TOKEN, NOW).id == 7


def test_a_changed_field_fails() -> None:
    fields = _fields(init_data_for(42, "Ann", TOKEN, NOW))
    fields["user"] = fields["user"].replace("42", "43")
    assert _status(urlencode(fields)) == 401


def test_another_bots_token_fails() -> None:
    assert _status(init_data_for(42, "Ann", "654321:OTHER", NOW)) == 401


def test_a_missing_or_empty_hash_fails() -> None:
    fields = _fields(init_data_for(42, "Ann", TOKEN, NOW))
    del fields["hash"]
    assert _status(urlencode(fields)) == 401
    assert _status(urlencode({**fields, "hash": ""})) == 401
    assert _status("") == 401


def test_older_than_a_day_fails() -> None:
    assert validate_init_data(init_data_for(42, "A", TOKEN, NOW - MAX_AGE_SECONDS), TOKEN, NOW)
    assert _status(init_data_for(42, "A", TOKEN, NOW - MAX_AGE_SECONDS - 1)) == 403
    # Nor from well in the future (a replay signed with a clock far ahead).
    assert _status(init_data_for(42, "A", TOKEN, NOW + 3600)) == 403


def test_a_field_given_twice_fails() -> None:
    signed = init_data_for(42, "Ann", TOKEN, NOW)
    assert _status(signed + "&auth_date=" + str(NOW)) == 401


def test_no_user_fails() -> None:
    signed = sign_init_data({"auth_date": str(NOW), "query_id": "x"}, TOKEN)
    assert _status(signed) == 401
    bad_id = sign_init_data({"auth_date": str(NOW), "user": json.dumps({"id": True})}, TOKEN)
    assert _status(bad_id) == 401


@given(st.text(max_size=200))
def test_anything_unsigned_fails_cleanly(junk: str) -> None:
    """Whatever arrives, it is refused with 401 or 403, never an exception of another kind."""
    assert _status(junk) in (401, 403)


@given(st.integers(min_value=1, max_value=2**40), st.text(max_size=30))
def test_every_signed_user_round_trips(user_id: int, name: str) -> None:
    user = validate_init_data(init_data_for(user_id, name, TOKEN, NOW), TOKEN, NOW)
    assert (user.id, user.first_name) == (user_id, name)
