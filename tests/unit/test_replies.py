"""Typed replies during a session: done, hurts, skip, stop, and pain scores."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.replies import Reply, is_question, parse_answer, parse_pain, parse_reply


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


# What people type at "How did it go?", and what each must mean: (reply, pain score).
TYPED_ANSWERS = [
    ("done", (Reply.DONE, None)),
    ("all done!", (Reply.DONE, None)),
    ("👍", (Reply.DONE, None)),
    ("ok", (Reply.DONE, None)),
    ("skip", (Reply.SKIP, None)),
    ("next", (Reply.SKIP, None)),
    ("stop", (Reply.STOP, None)),
    ("hurts", (Reply.HURTS, None)),
    ("it hurt", (Reply.HURTS, None)),
    ("sore", (Reply.HURTS, None)),
    ("a bit sore", (Reply.HURTS, None)),
    ("ouch 6", (Reply.HURTS, 6)),
    ("Ouch, 6!", (Reply.HURTS, 6)),
    ("hurts 7/10", (Reply.HURTS, 7)),
    ("hurts 7 / 10", (Reply.HURTS, 7)),
    ("it hurt a bit, maybe 3", (Reply.HURTS, 3)),
    ("pain 5", (Reply.HURTS, 5)),
    ("pain 0", (Reply.HURTS, 0)),
    ("sore, 4 out of 10", (Reply.HURTS, 4)),
    ("aching 2", (Reply.HURTS, 2)),
    ("10/10 hurts", (Reply.HURTS, 10)),
    ("6", (Reply.HURTS, 6)),
    ("0", (Reply.HURTS, 0)),
    ("10", (Reply.HURTS, 10)),
    ("6/10", (Reply.HURTS, 6)),
    ("６", (Reply.HURTS, 6)),
    ("pain 12", (Reply.HURTS, None)),
    ("hurts 2 or 3", (Reply.HURTS, None)),
    ("11", None),
    ("I did 2 of them", None),
    ("hello", None),
    ("maybe later", None),
    ("", None),
    ("3.5", None),
    # Questions about pain are questions, not reports (they get the GP/physio line).
    ("what is pain?", None),
    ("is it normal that it hurts?", None),
    ("що таке біль?", None),
    ("¿es normal que me duela?", None),
]


@pytest.mark.parametrize(("text", "meaning"), TYPED_ANSWERS)
def test_typed_answers_mean_what_people_mean(text: str, meaning) -> None:
    found = parse_answer(text)
    assert (None if found is None else (found.reply, found.pain)) == meaning


# At "How much did it hurt?": the score, however it is typed.
TYPED_SCORES = [
    ("6", 6),
    ("ouch 6", 6),
    ("pain 6", 6),
    ("6/10", 6),
    ("it hurts, 8 out of 10", 8),
    ("sore 3", 3),
    ("ow 9", 9),
    ("hurts", None),
    ("2 3", None),
    ("I did 2 of them", None),
    ("12", None),
    ("-1", None),
]


@pytest.mark.parametrize(("text", "score"), TYPED_SCORES)
def test_typed_scores(text: str, score: int | None) -> None:
    assert parse_pain(text) == score


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("is it normal that my back clicks?", True),
        ("is it normal that my back clicks", True),
        ("should I take ibuprofen", True),
        ("what now?", True),
        ("¿es normal?", True),
        ("why", False),
        ("what a lovely morning", False),
        ("hello", False),
        ("I feel fine today", False),
        ("done", False),
    ],
)
def test_questions(text: str, question: bool) -> None:
    assert is_question(text) is question


@given(st.integers(0, 10), st.sampled_from(["ouch", "hurts", "pain", "sore", "it hurt"]))
def test_a_hurt_word_with_one_score_is_that_score(score: int, word: str) -> None:
    for text in (f"{word} {score}", f"{score} {word}", f"{word}, {score}/10"):
        found = parse_answer(text)
        assert found is not None and (found.reply, found.pain) == (Reply.HURTS, score)
