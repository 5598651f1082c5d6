"""The bot's profile as Telegram shows it, and /start's deep-link code (issue 15, point 2)."""

from __future__ import annotations

import pytest

from bot import i18n, texts
from bot.app import _set_profile
from bot.emulator.server import BotApiEmulator
from bot.handlers.onboarding import start_code
from tests.e2e.helpers import onboard

pytestmark = pytest.mark.e2e


async def test_description_short_description_and_private_menu(
    emulator: BotApiEmulator, bot
) -> None:
    # Shown in the empty chat before Start: what it does, and that it is not a diagnosis.
    assert emulator.description == texts.BOT_DESCRIPTION
    assert "not a diagnosis" in emulator.description
    assert len(texts.BOT_DESCRIPTION) <= 512
    assert emulator.short_description == texts.BOT_SHORT_DESCRIPTION
    assert len(texts.BOT_SHORT_DESCRIPTION) <= 120
    # A short menu of the everyday commands in private chats; none in groups.
    private = emulator.commands_for({"type": "all_private_chats"})
    described = dict(texts.COMMANDS)
    assert private == [{"command": n, "description": described[n]} for n in texts.MENU_COMMANDS]
    assert len(private) <= 6
    assert emulator.commands == []
    # /help still lists every command, the menu's and the rest.
    user = emulator.user(user_id=901)
    await user.send_text("/help")
    help_message = await user.wait_for_message("/timezone")
    for name, _ in texts.COMMANDS:
        assert f"/{name}" in help_message.text


def _set_for(emulator: BotApiEmulator, method: str) -> list[str]:
    """The language codes a profile text was set for, one per request ("" the default)."""
    return [r.params.get("language_code") or "" for r in emulator.requests_for(method)]


async def test_profile_texts_are_set_only_when_they_changed(emulator: BotApiEmulator, bot) -> None:
    # Once each: the default (English) and every other shipped language under its code.
    languages = ["", *(code.split("_")[0] for code in i18n.SHIPPED if code != "en")]
    assert _set_for(emulator, "setMyDescription") == languages
    await _set_profile(bot)
    assert _set_for(emulator, "setMyDescription") == languages
    assert _set_for(emulator, "setMyShortDescription") == languages
    emulator.state.descriptions[""] = "an old text"
    await _set_profile(bot)
    assert emulator.description == texts.BOT_DESCRIPTION


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["pt_ABC"], "pt_ABC"),
        (["clinic-7"], "clinic-7"),
        (["x" * 64], "x" * 64),
        (["x" * 65], None),
        (["pt.ABC"], None),
        (["café"], None),
        (["two", "words"], None),
        ([], None),
        (None, None),
    ],
)
def test_start_code_follows_telegrams_rule(args: list[str] | None, code: str | None) -> None:
    assert start_code(args) == code


async def test_a_new_person_from_a_link_is_told_the_code_is_kept(
    emulator: BotApiEmulator, bot
) -> None:
    user = emulator.user(user_id=902)
    await user.send_text("/start pt_ABC")
    await user.wait_for_message("I'm backcoach")
    await user.wait_for_message(texts.START_CODE_KEPT.format(code="pt_ABC"))
    await user.wait_for_message("quick safety check")


async def test_the_code_is_shown_in_the_summary(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=903)
    await onboard(user)
    await user.send_text("/summary")
    summary = await user.wait_for_message("Back exercise summary")
    assert "code" not in summary.text.lower()

    await user.send_text("/start pt_ABC")
    await user.wait_for_message(texts.START_CODE_KEPT.format(code="pt_ABC"))
    await user.send_text("/summary")
    summary = await user.wait_for_message("Back exercise summary")
    _heading, second = summary.text.split("\n\n")[:2]
    assert second.splitlines()[0] == texts.SUMMARY_START_CODE.format(code="pt_ABC")

    # The same code again, or an invalid one, says nothing and changes nothing.
    for text in ("/start pt_ABC", "/start pt ABC", "/start " + "y" * 65, "/start <b>"):
        await user.send_text(text)
        await user.wait_for_message("Welcome back")
    await user.wait_idle()
    assert sum("noted the code" in m.text for m in user.transcript) == 1
    await user.send_text("/summary")
    summary = await user.wait_for_message("Back exercise summary")
    assert texts.SUMMARY_START_CODE.format(code="pt_ABC") in summary.text

    # A new link's code replaces it.
    await user.send_text("/start physio_42")
    await user.wait_for_message(texts.START_CODE_KEPT.format(code="physio_42"))
    await user.send_text("/summary")
    summary = await user.wait_for_message("Back exercise summary")
    assert "physio_42" in summary.text and "pt_ABC" not in summary.text
