"""Typed replies during a session: done, hurts, skip, stop, and pain scores."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.replies import Reply, parse_pain, parse_reply


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("done", Reply.DONE),
        ("Done!", Reply.DONE),
        ("DID IT", Reply.DONE),
        ("ok", Reply.DONE),
        ("\N{THUMBS UP SIGN}", Reply.DONE),
        ("\N{THUMBS UP SIGN}\U0001f3fd", Reply.DONE),
        ("hurts", Reply.HURTS),
        ("Ouch!!", Reply.HURTS),
        ("pain", Reply.HURTS),
        ("Painful.", Reply.HURTS),
        ("skip", Reply.SKIP),
        ("Next", Reply.SKIP),
        ("stop", Reply.STOP),
        (" STOP ", Reply.STOP),
    ],
)
def test_known_replies(text: str, reply: Reply) -> None:
    assert parse_reply(text) is reply


@pytest.mark.parametrize("text", ["", "maybe", "I'm done with this app", "done?? no", "12"])
def test_other_text_is_no_reply(text: str) -> None:
    assert parse_reply(text) is None


@pytest.mark.parametrize(
    ("text", "pain"), [("0", 0), ("6", 6), ("10", 10), ("6/10", 6), ("pain 7", 7), (" 3 ", 3)]
)
def test_pain_scores(text: str, pain: int) -> None:
    assert parse_pain(text) == pain


@pytest.mark.parametrize("text", ["11", "-1", "six", "", "3.5", "100"])
def test_not_pain_scores(text: str) -> None:
    assert parse_pain(text) is None


@given(st.text())
def test_parsers_never_raise(text: str) -> None:
    reply = parse_reply(text)
    pain = parse_pain(text)
    assert reply is None or isinstance(reply, Reply)
    assert pain is None or 0 <= pain <= 10
