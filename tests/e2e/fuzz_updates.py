"""Raw Bot API updates for fuzzing: any kind of update, queued through the emulator's state.

`ScriptedUser` only speaks the way a well-behaved client does. `Forger` builds whatever
Telegram could deliver (edited messages, stickers, photos, group and channel updates,
membership changes, callback queries with any data, for messages too old to be shown) and
queues it exactly the way `bot/emulator/users.py` does: the message is stored in the chat
with `EmulatorState.add_message`, a callback query is registered as a `CallbackRecord` (so
the bot's answerCallbackQuery succeeds), and the update goes in with `EmulatorState.enqueue`.

`ops()` is a Hypothesis strategy of update descriptions; `Forger.run()` turns one into a
queued update against the emulator's state at that moment (which button is pressed, which
message is edited), so descriptions stay small and printable.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from bot import texts
from bot.emulator.formatting import utf16_len
from bot.emulator.server import BotApiEmulator
from bot.emulator.state import CallbackRecord, StoredMessage
from bot.emulator.users import ScriptedUser

BOT_USERNAME = "backcoach_bot"

# Commands the bot knows, a few it does not, and some that are not even well formed.
KNOWN_COMMANDS = tuple(name for name, _ in texts.COMMANDS)
ODD_COMMANDS = ("foo", "Start", "HELP", "start_", "sessions", "x" * 40, "über", "s3ss10n", "")

# Typed answers the flows understand, so fuzzing also walks through them.
MEANINGFUL = (
    "done", "ok", "👍", "👍🏽", "hurts", "ouch", "skip", "next", "stop", "quit", "yes", "no",
    "some", "all", "some of it", "0", "3", "5", "6", "8", "10", "11", "-1", "6/10", "pain 7",
    "Berlin", "UTC+2", "UTC+14", "UTC-12", "UTC+99", "Europe/Berlin", "Mars/Olympus",
    "7:30", "07:30", "19:30", "7.30 pm", "24:00", "25:61", "0:00", "23:59", "12 am",
    "I suddenly can't control my bladder", "numbness in my groin", "I had a fever and back pain",
)  # fmt: skip

# Odd strings: control characters, right-to-left text, emoji with joiners, combining marks,
# markup, format strings, digits that are not ASCII.
ODD_TEXTS = (
    "\u202eevil\u202c", "مرحبا", "שלום עולם", "👨‍👩‍👧‍👦", "🏳️‍🌈", "e\u0301\u0301\u0301",
    "\x00", "\x1b[31mred\x1b[0m", "\r\n\t", "\u200b", "\ufeff", "﷽", "ǅ", "İ", "ß", "Ⅻ",
    "<b>bold</b>", "&amp;", "*_`[x](y)`_*", "%s %d {0} {name}", "'; DROP TABLE users; --",
    "²", "١٢", "७:३०", "٧:٣٠", "0x10", "1e3", "NaN", "   ", "/", "@backcoach_bot",
)  # fmt: skip

# Callback data with a known prefix and a malformed value, and data from nowhere.
FORGED_DATA = (
    "se:ready:x.y.z", "se:ready:", "se:ready", "se:ready:1", "se:ready:1.0", "se:ready:-1.0.0",
    "se:ready:99999999999999999999.0.0", "se:done:1.0.0", "se:pain:1.0.0.99",
    "se:pain:1.0.0.-3", "se:lvl:1.0.0.4", "se:lvl:1.0.0.99", "se:stay:1.0.0.1", "se:go",
    "se:go:extra", "se:cont:1.0.0", "se:new:1.0.0", "se:zzz:1.0.0", "se:done:1.2.3.4.5.6",
    "rm:snz:99999999", "rm:snz:", "rm:time:9999", "rm:time:2561", "rm:time:0", "rm:time:ab:c",
    "rm:am:20261127.x", "rm:am:20261127.", "rm:am:x.better", "rm:done:20261127",
    "rm:hurt:20261127", "rm:skip:20261127", "rm:snz:20261127", "rm:zzz:20261127",
    "rp:pain:11", "rp:pain:-1", "rp:pain:", "rp:pain:²", "rp:pain:١", "rp:how:all",
    "rp:how:maybe", "rp:which:nope", "rp:which:-", "rp:which:cat", "ob:time:9999",
    "ob:time:0730", "ob:time:²²³³", "ob:pain:11", "ob:pain:²", "ob:pain:٣", "ob:pain:",
    "ob:rf:maybe", "ob:rf:yes", "ob:rf:no", "ob:sd:cleared", "ob:cs:yes", "ob:cs:no",
    "ob:zzz:1", "pv:del:yes", "pv:del:no", "pv:del:maybe", "pv:zzz", "pv", "se", ":", "::",
    "", "x" * 64, "é" * 32, "zz:top:1",
)  # fmt: skip

# Points that stress the time zone lookup: poles, the date line, oceans, null island.
EXTREME_POINTS = (
    (90.0, 0.0), (-90.0, 0.0), (90.0, 180.0), (-90.0, -180.0), (0.0, 180.0), (0.0, -180.0),
    (0.0, 0.0), (89.999999, 179.999999), (-0.000001, -0.000001), (52.52, 13.405),
    (-54.8, -68.3), (71.0, -8.0), (-77.85, 166.67), (1e-300, -1e-300),
)  # fmt: skip

# Actions of every flow, to put behind a known prefix with a random value.
ACTIONS = (
    "ready", "done", "hurts", "skip", "pain", "cont", "new", "lvl", "stay", "go", "time",
    "snz", "am", "hurt", "how", "which", "rf", "sd", "cs", "del",
)  # fmt: skip
MEDIA = ("document", "voice", "contact", "dice")


@dataclass(frozen=True)
class Op:
    """One update to forge: `kind`, who sends it (index into the sender pool) and details."""

    kind: str
    who: int
    value: Any = None

    def __repr__(self) -> str:  # short reprs make Hypothesis' falsifying examples readable
        value = self.value
        if isinstance(value, str) and len(value) > 60:
            value = f"{value[:40]!r}…({len(value)} chars)"
        else:
            value = repr(value)
        return f"Op({self.kind}, {self.who}, {value})"


# --- strategies --------------------------------------------------------------------------

# Every code point but lone surrogates (which no JSON from Telegram carries), controls included.
_any_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80)
_texts = st.one_of(
    st.sampled_from(MEANINGFUL),
    st.sampled_from(ODD_TEXTS),
    _any_text,
    # Huge: over Telegram's 4096-character limit for a message.
    st.builds(lambda s, n: (s * (1 + n // len(s)))[:n], _any_text, st.integers(4090, 6000)),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(MEANINGFUL), _any_text),
)
_command_names = st.one_of(st.sampled_from(KNOWN_COMMANDS), st.sampled_from(ODD_COMMANDS))
_commands = st.builds(
    lambda name, at, args: "/" + name + at + (" " + args if args else ""),
    _command_names,
    st.sampled_from(("", "", f"@{BOT_USERNAME}", "@other_bot", "@BackCoach_Bot")),
    st.one_of(st.just(""), st.sampled_from(MEANINGFUL), _any_text),
)
_callback_data = st.one_of(
    st.sampled_from(FORGED_DATA),
    st.text(min_size=0, max_size=64).filter(lambda s: len(s.encode()) <= 64),
    st.builds(
        lambda prefix, action, value: f"{prefix}:{action}:{value}"[:64],
        st.sampled_from(("se", "rm", "rp", "ob", "pv")),
        st.sampled_from(ACTIONS),
        st.one_of(
            st.from_regex(r"-?[0-9]{1,12}(\.-?[0-9]{1,12}){0,4}", fullmatch=True),
            st.text(max_size=20),
        ),
    ),
)
_who = st.integers(0, 63)


def _op(kind: str, value: st.SearchStrategy[Any]) -> st.SearchStrategy[Op]:
    return st.builds(Op, st.just(kind), _who, value)


# What a person would do next: press one of the newest buttons, or type a plain answer.
_sensible = st.one_of(
    _op("press_own", st.tuples(st.integers(0, 999), st.booleans(), st.just("newest"))),
    _op("text", st.sampled_from((*MEANINGFUL, "/session", "/start", "/stop"))),
)
_locations = st.one_of(
    st.sampled_from(EXTREME_POINTS),
    st.tuples(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)),
)


def ops() -> st.SearchStrategy[Op]:
    """One update description of any kind; sensible next steps weigh as much as the rest."""
    odd = st.one_of(
        _op("text", _texts),
        _op("command", _commands),
        # Any button the sender was ever shown, current or stale, pressed once or twice.
        _op("press_own", st.tuples(st.integers(0, 999), st.booleans(), st.just("any"))),
        # The data of someone else's button, pressed on a message of the sender's own chat.
        _op("press_stolen", st.integers(0, 999)),
        # Data no button ever carried.
        _op("press_forged", _callback_data),
        # A button on a message too old for Telegram to show (an InaccessibleMessage).
        _op("press_old", st.one_of(_callback_data, st.integers(0, 999))),
        _op("edit", _texts),
        _op("sticker", st.sampled_from(("😀", "🔥", None))),
        _op("photo", st.one_of(st.none(), _texts)),
        _op("other_media", st.sampled_from(MEDIA)),
        _op("location", _locations),
        _op("group_text", st.one_of(_texts, _commands)),
        _op("group_join", st.sampled_from(("added", "removed", "left"))),
        _op("channel_post", st.one_of(_texts, _commands)),
        _op("blocked", st.booleans()),
    )
    return st.one_of(odd, _sensible)


# --- forging -------------------------------------------------------------------------------


def _current(message: StoredMessage) -> list[str]:
    return [
        b["callback_data"] for row in message.inline_keyboard for b in row if "callback_data" in b
    ]


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0] if text.split() else text
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


class Forger:
    """Builds and queues raw updates in an emulator; every chat it uses exists there."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.state = emulator.state
        self._groups = itertools.count(1)

    # Participants --------------------------------------------------------------------------

    def person(
        self,
        user_id: int,
        first_name: str = "Alex",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> ScriptedUser:
        """A scripted user whose profile (and private chat) also carries these names."""
        user = self.emulator.user(user_id=user_id, first_name=first_name)
        for field, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user.user[field] = value
                self.state.chats[user.chat_id][field] = value
        return user

    def new_group(self, kind: str = "group") -> dict[str, Any]:
        """A fresh group (or supergroup, or channel) the bot is in: a fresh rate limit too."""
        number = next(self._groups)
        chat_id = {"channel": -1_009_000_000_000, "supergroup": -1_008_000_000_000}.get(
            kind, -900_000
        )
        chat = {"id": chat_id - number, "type": kind, "title": f"{kind} {number}"}
        self.state.chats[chat["id"]] = chat
        return chat

    # Messages ------------------------------------------------------------------------------

    def message(
        self,
        chat_id: int,
        sender: dict[str, Any] | None,
        body: dict[str, Any],
        *,
        kind: str = "text",
        update_type: str = "message",
        sender_chat: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a message from `sender` (None: a channel's own post) and queue its update."""
        shown = body.get("text") or body.get("caption") or ""
        stored = self.state.add_message(
            chat_id, {"from": sender, **body}, from_bot=False, kind=kind, text=shown
        )
        data = copy.deepcopy(stored.data)
        if sender is None:
            del data["from"]
        if sender_chat is not None:
            data["sender_chat"] = sender_chat
        return self.state.enqueue(chat_id, {update_type: data})

    def text(self, chat_id: int, sender: dict[str, Any] | None, text: str, **kw) -> dict[str, Any]:
        """A text message; one starting with "/" carries a bot_command entity, as in Telegram."""
        body: dict[str, Any] = {"text": text}
        if entities := _command_entities(text):
            body["entities"] = entities
        return self.message(chat_id, sender, body, **kw)

    def edit(self, chat_id: int, sender: dict[str, Any], text: str) -> dict[str, Any] | None:
        """The sender edits their newest text message in the chat; None when they have none."""
        mine = [
            m
            for m in self.state.messages.get(chat_id, [])
            if not m.from_bot
            and m.kind == "text"
            and m.data.get("from", {}).get("id") == sender["id"]
        ]
        if not mine:
            return None
        target = mine[-1]
        target.data["text"] = text
        target.data["edit_date"] = int(self.state.clock())
        target.data.pop("entities", None)
        if entities := _command_entities(text):
            target.data["entities"] = entities
        target.versions.append(text)
        return self.state.enqueue(chat_id, {"edited_message": copy.deepcopy(target.data)})

    # Buttons -------------------------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """The bot's live messages in a chat, oldest first."""
        return [m for m in self.state.messages.get(chat_id, []) if m.from_bot and not m.deleted]

    @staticmethod
    def buttons(message: StoredMessage) -> list[str]:
        """Callback data of every button the message has carried, current ones first."""
        found: list[str] = []
        for markup in [message.data.get("reply_markup"), *reversed(message.markups)]:
            for row in (markup or {}).get("inline_keyboard", []):
                found += [b["callback_data"] for b in row if "callback_data" in b]
        return found

    def callback(
        self,
        user: dict[str, Any],
        chat_id: int,
        data: str,
        message: StoredMessage | None,
        *,
        inaccessible_id: int = 1,
    ) -> dict[str, Any]:
        """A button press; `message` None means one too old to show (date 0, no content)."""
        query_id = self.state.next_id("fz")
        message_id = message.message_id if message else inaccessible_id
        self.state.callbacks[query_id] = CallbackRecord(
            query_id, user["id"], chat_id, message_id, data
        )
        shown: dict[str, Any]
        if message is None:
            shown = {"chat": self.state.chats[chat_id], "message_id": message_id, "date": 0}
        else:
            shown = copy.deepcopy(message.data)
        query = {
            "id": query_id,
            "from": user,
            "message": shown,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        return self.state.enqueue(chat_id, {"callback_query": query})

    # Membership ----------------------------------------------------------------------------

    def my_chat_member(
        self, chat: dict[str, Any], by: dict[str, Any], old: str, new: str
    ) -> dict[str, Any]:
        """The bot's own membership changed (added to a group, blocked by a person...)."""

        def member(status: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"status": status, "user": self.state.bot_user}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        body = {
            "chat": chat,
            "from": by,
            "date": int(self.state.clock()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self.state.enqueue(chat["id"], {"my_chat_member": body})

    # Descriptions --------------------------------------------------------------------------

    def run(self, op: Op, senders: list[ScriptedUser]) -> dict[str, Any]:
        """Queue the update `op` describes, sent by `senders[op.who % len(senders)]`."""
        person = senders[op.who % len(senders)]
        return getattr(self, f"_op_{op.kind}")(op, person, senders)

    def _op_text(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        return self.text(person.chat_id, person.user, op.value)

    _op_command = _op_text

    def _op_edit(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        edited = self.edit(person.chat_id, person.user, op.value)
        return edited or self.text(person.chat_id, person.user, op.value)

    def _op_press_own(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        index, twice, which = op.value
        messages = self.bot_messages(person.chat_id)
        if which == "newest":  # what a person would press next: the newest live buttons
            shown = [m for m in messages if m.inline_keyboard][-1:]
            pressable = [(m, d) for m in shown for d in self.buttons(m)[: len(_current(m))]]
        else:
            pressable = [(m, d) for m in messages for d in self.buttons(m)]
        if not pressable:
            return self.text(person.chat_id, person.user, "/start")
        message, data = pressable[index % len(pressable)]
        update = self.callback(person.user, person.chat_id, data, message)
        if twice:  # a double tap: both presses carry the message as it was shown
            self.callback(person.user, person.chat_id, data, message)
        return update

    def _op_press_stolen(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        own = self.bot_messages(person.chat_id)
        others = [
            data
            for other in senders
            if other.chat_id != person.chat_id
            for message in self.bot_messages(other.chat_id)
            for data in self.buttons(message)
        ]
        if not own or not others:
            return self.text(person.chat_id, person.user, "/help")
        return self.callback(person.user, person.chat_id, others[op.value % len(others)], own[-1])

    def _op_press_forged(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        own = self.bot_messages(person.chat_id)
        if not own:
            return self.text(person.chat_id, person.user, "/help")
        return self.callback(person.user, person.chat_id, op.value, own[len(op.value) % len(own)])

    def _op_press_old(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        own = self.bot_messages(person.chat_id)
        pressable = [(m, d) for m in own for d in self.buttons(m)]
        if isinstance(op.value, str) and own:
            message, data = own[-1], op.value
        elif isinstance(op.value, int) and pressable:
            message, data = pressable[op.value % len(pressable)]
        else:
            return self.text(person.chat_id, person.user, "/help")
        return self.callback(
            person.user, person.chat_id, data, None, inaccessible_id=message.message_id
        )

    def _op_sticker(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        sticker = {"file_id": "STK1", "file_unique_id": "USTK1", "type": "regular",
                   "width": 512, "height": 512,
                   "is_animated": False, "is_video": False}  # fmt: skip
        if op.value:
            sticker["emoji"] = op.value
        return self.message(person.chat_id, person.user, {"sticker": sticker}, kind="sticker")

    def _op_photo(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        size = {"file_id": "PH1", "file_unique_id": "UPH1", "width": 90, "height": 90}
        body: dict[str, Any] = {"photo": [size]}
        if op.value:
            body["caption"] = op.value[:1024]
        return self.message(person.chat_id, person.user, body, kind="photo")

    def _op_other_media(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        bodies = {
            "document": {"document": {"file_id": "D1", "file_unique_id": "UD1",
                                      "file_name": "x.pdf", "mime_type": "application/pdf"}},
            "voice": {"voice": {"file_id": "V1", "file_unique_id": "UV1", "duration": 3}},
            "contact": {"contact": {"phone_number": "+10000000000", "first_name": "Kim"}},
            "dice": {"dice": {"emoji": "🎲", "value": 3}},
        }  # fmt: skip
        return self.message(person.chat_id, person.user, bodies[op.value], kind=op.value)

    def _op_location(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        latitude, longitude = op.value
        body = {"location": {"latitude": latitude, "longitude": longitude}}
        return self.message(person.chat_id, person.user, body, kind="location")

    def _op_group_text(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        group = self.new_group("supergroup" if op.who % 2 else "group")
        return self.text(group["id"], person.user, op.value)

    def _op_group_join(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        group = self.new_group("supergroup" if op.who % 2 else "group")
        old, new = {"added": ("left", "member"), "removed": ("member", "kicked"),
                    "left": ("member", "left")}[op.value]  # fmt: skip
        return self.my_chat_member(group, person.user, old, new)

    def _op_channel_post(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        channel = self.new_group("channel")
        kind = "edited_channel_post" if op.who % 3 == 0 else "channel_post"
        return self.text(channel["id"], None, op.value, update_type=kind, sender_chat=channel)

    def _op_blocked(self, op: Op, person: ScriptedUser, senders: list[ScriptedUser]) -> dict:
        old, new = ("member", "kicked") if op.value else ("kicked", "member")
        return self.my_chat_member(self.state.chats[person.chat_id], person.user, old, new)
