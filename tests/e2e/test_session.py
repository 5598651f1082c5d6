"""The guided session end to end: cards, countdowns, answers, progression, restarts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.app import build_application, running
from bot.domain.progression import ExerciseProgress
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import do_exercise, hold, onboard

pytestmark = pytest.mark.e2e

LEVEL_1 = ["cat", "cow", "knee_to_chest", "glute_bridge"]


async def _repo(database_url: str) -> Repository:
    return Repository(create_engine(database_url))


async def _seed(
    database_url: str,
    user_id: int,
    *,
    level: int | None = None,
    progress: dict[str, dict[str, object]] | None = None,
    clock=None,
) -> None:
    """Put a person's level and progression where a test needs them."""
    repo = await _repo(database_url)
    try:
        if level is not None:
            await repo.update_user(user_id, level=level)
        if progress:
            items = {k: ExerciseProgress(exercise_id=k, **v) for k, v in progress.items()}
            starts = {k: 10 for k in items}
            await repo.save_progress(user_id, items, starts, clock.now())
    finally:
        await repo.close()


async def _progress(database_url: str, user_id: int) -> dict[str, ExerciseProgress]:
    repo = await _repo(database_url)
    try:
        return await repo.load_progress(user_id)
    finally:
        await repo.close()


async def test_whole_session_with_countdowns(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=701)
    await onboard(user)
    await user.press(texts.START_SESSION)
    intro = await user.wait_for_message("Today's session")
    assert "4 exercises" in intro.text
    names = []
    counted = []
    for position, exercise_id in enumerate(LEVEL_1, start=1):
        card = await user.wait_for_message(f"{position} of 4")
        names.append(card.text.split("·")[1].split("\n")[0].strip())
        await user.press(texts.READY)
        countdown = await user.wait_for_message("Get ready")
        await user.wait_for_message("How did")
        final = next(m for m in user.transcript if m.message_id == countdown.message_id)
        ready, shown = [countdown.text, *final.edits][:3], [countdown.text, *final.edits][3:]
        assert ready == ["Get ready… 3", "Get ready… 2", "Get ready… 1"]
        hold_s = 15 if exercise_id in ("cat", "cow") else 30
        steps = [f"Hold… {s} s" for s in range(hold_s, 0, -5)]
        # The countdown starts at the target and ends with Release; a step edit that comes late
        # on a busy machine is dropped rather than shown out of time, so steps may be missing.
        assert shown[0] == steps[0] and shown[-1] == "Release."
        assert shown[1:-1] == [step for step in steps[1:] if step in shown[1:-1]]
        counted.append(len(shown) - 2 == len(steps) - 1)
        await user.press(texts.DONE)
    summary = await user.wait_for_message("Session complete")
    # On an idle machine every step is shown; allow one hold to lose a step to a busy moment.
    assert counted.count(True) >= 3
    assert "Done: 4 of 4" in summary.text and "Streak: 1 day (best 1 day)" in summary.text
    assert "tomorrow at 07:30" in summary.text
    # Telegram rejects an edit with unchanged text; the bot never tried one.
    assert not [r for r in emulator.requests if r.status == 400]

    repo = await _repo(database_url)
    state = await repo.active_session(701)
    days = await repo.session_days(701)
    await repo.close()
    assert state is None and len(days) == 1


async def test_slow_countdown_edits_never_lengthen_the_hold(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=703)
    await onboard(user)
    # Every countdown edit takes Telegram 2 s to answer: twenty steps of the hold (0.1 s
    # each at this test's time scale) pass while one edit is in flight.
    emulator.inject_fault("slow", method="editMessageText", chat_id=703, count=10**6, delay=2.0)
    await user.press(texts.START_SESSION)
    await user.wait_for_message("1 of 4")
    await user.press(texts.READY)
    countdown = await user.wait_for_message("Get ready")
    # Three slow get-ready edits (2 s each) come first; they are shown, never dropped.
    await user.wait_for_message("How did", timeout=20)
    edits = [
        r
        for r in emulator.requests_for("editMessageText", chat_id=703)
        if r.params.get("message_id") == countdown.message_id
    ]
    shown = next(r for r in edits if r.params["text"] == "Hold… 15 s")
    release = edits[-1]
    assert release.params["text"] == "Release."
    # The cat's 15 s hold is 0.3 s here. Counting down step by step behind slow edits made
    # it last two edits (over 4 s); now it ends on time, and the Release waits only for the
    # one edit already in flight (2 s).
    assert release.timestamp - shown.timestamp < 3.3
    # No edit overtakes another: what the person sees counts down.
    holds = [r for r in edits if r.params["text"].startswith("Hold…")]
    seconds = [int(r.params["text"].split()[1]) for r in holds]
    assert seconds == sorted(seconds, reverse=True) and len(set(seconds)) == len(seconds)
    ready = [r.params["text"] for r in edits if r.params["text"].startswith("Get ready")]
    assert ready == ["Get ready… 2", "Get ready… 1"]


async def test_sides_done_grows_and_pain_cuts(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=702)
    await onboard(user)
    # Level 2, with the level 1 exercises resting so the session is short.
    rest = {"removed": True, "sessions_until_return": 5, "target_hold": 15}
    await _seed(database_url, 702, level=2, clock=clock, progress={k: dict(rest) for k in LEVEL_1})
    await user.send_text("/session")
    await user.wait_for_message("Today's session")

    seen = []
    for _ in range(3):
        card = await user.wait_for_message(" of 3")
        seen.append(card.text)
        await user.press(texts.READY)
        first = await user.wait_for_message("Get ready")
        limbs = {"Bird dog": "arm up", "Hip flexor": "knee down"}
        for exercise, limb in limbs.items():
            if exercise in card.text:
                assert first.text.startswith(f"Left {limb}: ")
                await user.wait_for_message(f"Right {limb}: ")
        await user.wait_for_message("How did")
        if "Partial cobra" in card.text:
            await user.press(texts.HURTS)
            await user.wait_for_message("How much did it hurt")
            await user.press("6", message_id=user.last_message.message_id)
            await user.wait_for_message("5 s next time, down from 10 s")
        else:
            await user.press(texts.DONE)
            await user.wait_for_message("15 s next time, up from 10 s")
    await user.wait_for_message("Session complete")
    assert any("Bird dog" in text for text in seen)
    assert not any("· Cobra" in text for text in seen)
    progress = await _progress(database_url, 702)
    assert progress["bird_dog_arm"].target_hold == 15
    assert progress["partial_cobra"].target_hold == 5

    # Partial cobra hurt above 5: it rests for the rest of today.
    await user.send_text("/session")
    card = await user.wait_for_message("1 of 2")
    assert "Partial cobra" not in card.text
    await user.send_text("stop")
    await user.wait_for_message("Session ended")

    # The next day it is back, and every exercise uses its new hold.
    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    card = await user.wait_for_message("1 of 3")
    assert "Partial cobra" in card.text
    assert "Hold: 5 s" in card.text
    await user.send_text("stop")
    await user.wait_for_message("Session ended")


async def test_cobra_unlocks_after_two_pain_free_partial_cobras(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=703)
    await onboard(user)
    rest = {"removed": True, "sessions_until_return": 5, "target_hold": 15}
    progress = {k: dict(rest) for k in [*LEVEL_1, "bird_dog_arm", "hip_flexor_stretch"]}
    progress["partial_cobra"] = {"target_hold": 10, "pain_free_streak": 1}
    await _seed(database_url, 703, level=2, clock=clock, progress=progress)

    await user.send_text("/session")
    card = await do_exercise(user, "done")
    assert "Partial cobra" in card
    await user.wait_for_message("Session complete")

    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    intro = await user.wait_for_message("Today's session")
    assert "2 exercises" in intro.text
    await do_exercise(user, "hurts", pain=4)
    # Partial cobra hurt: the cobra leaves today's session at once.
    out = await user.wait_for_message("out of today's session")
    assert "Cobra is out of today's session, as Partial cobra hurt." in out.text
    summary = await user.wait_for_message("Session complete")
    assert "Done: 1 of 1 exercise." in summary.text
    assert not [m for m in user.transcript if "· Cobra" in m.text]

    # Partial cobra hurt (pain 4): cobra is locked again until two pain-free sessions.
    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    intro = await user.wait_for_message("Today's session")
    assert "1 exercise," in intro.text


async def test_level_up_offer(emulator: BotApiEmulator, bot, database_url, clock) -> None:
    user = emulator.user(user_id=704)
    await onboard(user)
    # Each at its full hold (a fixed hold below its time would first have to grow back).
    full = {"cat": 15, "cow": 15, "knee_to_chest": 30, "glute_bridge": 30}
    at_ceiling = {"pain_free_streak": 1, "ceiling_pain_free_streak": 1}
    progress = {k: {"target_hold": full[k], **at_ceiling} for k in LEVEL_1}
    await _seed(database_url, 704, clock=clock, progress=progress)
    await user.send_text("/session")
    for _ in LEVEL_1:
        await do_exercise(user, "done")
    await user.wait_for_message("Session complete")
    offer = await user.wait_for_message("Ready to add the level 2")
    assert [texts.LEVEL_UP.format(level=2)] in offer.buttons
    await user.press(texts.LEVEL_UP.format(level=2))
    await user.wait_for_message("Level 2 unlocked")
    repo = await _repo(database_url)
    row = await repo.get_user(704)
    await repo.close()
    assert row.level == 2


async def test_restart_mid_session_keeps_answers(
    emulator: BotApiEmulator, settings, clock, database_url
) -> None:
    user = emulator.user(user_id=705)
    first = build_application(settings, clock=clock)
    async with running(first, poll_timeout=1):
        await onboard(user)
        await user.send_text("/session")
        await do_exercise(user, "done")
        await user.wait_for_message("2 of 4")
        # Stop while the second exercise is being held.
        await user.press(texts.READY)
        await user.wait_for_message("Hold…")

    second = build_application(settings, clock=clock)
    async with running(second, poll_timeout=1):
        await user.send_text("hello")
        offer = await user.wait_for_message("session in progress (1 of 4 done)")
        assert [texts.CONTINUE] in offer.buttons
        await user.press(texts.CONTINUE)
        card = await user.wait_for_message("2 of 4")
        assert "Cow" in card.text
        await hold(user)
        await user.press(texts.DONE)
        await do_exercise(user, "done")
        await do_exercise(user, "done")
        summary = await user.wait_for_message("Session complete")
        assert "Done: 4 of 4" in summary.text


async def test_stale_button_and_double_tap(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=706)
    await onboard(user)
    await user.send_text("/session")
    first_card = await user.wait_for_message("1 of 4")
    question = await hold(user)
    done_data = question.callback_data[texts.DONE]
    # Two taps on Done before the bot has answered either.
    await user.press_data(question.message_id, done_data)
    await user.press_data(question.message_id, done_data)
    await user.wait_for_message("2 of 4")
    await user.wait_idle()
    assert texts.ALREADY_ANSWERED in user.callback_answers
    await user.send_text("stop")
    await user.wait_for_message("Session ended")
    repo = await _repo(database_url)
    days = await repo.session_days(706)
    await repo.close()
    assert days == []  # a stopped session does not count as finished

    await user.press_data(first_card.message_id, first_card.callback_data[texts.READY])
    await user.wait_idle()
    assert texts.STALE_SESSION_BUTTON in user.callback_answers


async def test_typed_answers_and_hints(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=707)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await user.send_text("what now?")
    await user.wait_for_message("Press Ready")
    await hold(user)
    await user.send_text("maybe")
    await user.wait_for_message("done, hurts or skip")
    await user.send_text("Done!")
    await user.wait_for_message("Cat stretch: 15 s")
    await user.wait_for_message("2 of 4")
    await hold(user)
    await user.send_text("OUCH")
    await user.wait_for_message("How much did it hurt")
    await user.send_text("lots")
    await user.wait_for_message("number from 0 to 10")
    await user.send_text("5/10")
    await user.wait_for_message("Cow stretch: staying at 15 s")
    await user.wait_for_message("3 of 4")
    await hold(user)
    await user.send_text("skip.")
    await user.wait_for_message("Knees to chest: skipped")
    await user.wait_for_message("4 of 4")
    await hold(user)
    await user.send_text("\N{THUMBS UP SIGN}")
    summary = await user.wait_for_message("Session complete")
    assert "Done: 3 of 4" in summary.text and "Cow stretch 5/10" in summary.text


async def test_high_pain_stops_the_session(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=708)
    await onboard(user)
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=8)
    stop = await user.wait_for_message("Let's stop here for today")
    # One message: the advice, then what was saved (pain 8 is not "done").
    assert "What you did is saved" in stop.text and "Done: 0 of 4" in stop.text
    repo = await _repo(database_url)
    assert await repo.active_session(708) is None
    reports = await repo.pain_reports(708)
    await repo.close()
    assert [(r.pain, r.source, r.exercise_id) for r in reports][-1] == (8, "session", "cat")


async def test_red_flag_during_session_stops_it(emulator: BotApiEmulator, bot, database_url):
    user = emulator.user(user_id=709)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await user.send_text("I suddenly can't control my bladder")
    await user.wait_for_message("Please get medical help today")
    await user.wait_for_message("Session ended")
    repo = await _repo(database_url)
    assert await repo.active_session(709) is None
    await repo.close()


async def test_streak_and_stats_over_days(emulator: BotApiEmulator, bot, clock) -> None:
    user = emulator.user(user_id=710)
    await onboard(user)
    for day in range(2):
        await user.send_text("/session")
        # The first day, one exercise done (the rest skipped) counts, as a whole session does.
        for position, _ in enumerate(LEVEL_1):
            await do_exercise(user, "skip" if day == 0 and position > 0 else "done")
        summary = await user.wait_for_message("Session complete")
        assert f"Streak: {day + 1} day" in summary.text
        clock.advance(timedelta(days=1))
    await user.send_text("/stats")
    stats = await user.wait_for_message("Your progress")
    assert "Days you exercised: 2\nStreak: 2 days (best 2 days)" in stats.text
    assert "Cat stretch: 15 s (started at 15 s)" in stats.text
