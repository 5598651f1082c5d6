"""Telegram's flood limits, opt-in: 429 with retry_after past ~30 messages/s or 1/s per chat.

Telegram lets a bot send about 30 messages a second in all, and about one a second in any
one chat, allowing short bursts over either; past them it answers 429 "Too Many Requests:
retry after N" with `retry_after`. A message sent with `allow_paid_broadcast` is not held to
the 30 a second but to 1,000 a second, for 0.1 Telegram Stars from the bot's balance (Bot API
7.11), and still to the limit per chat.

Each limit is a token bucket (the generic cell rate algorithm): `rate` a second on average,
`burst` at once after a quiet spell. What Telegram really allows in a burst is not
published. For the bot as a whole the default is a third of a second's worth (10): a bot
that paces itself at 30/s passes even when its sends arrive bunched by the two processes'
scheduling on a busy machine (with a burst of 5, 0.2% of B2c's sends were refused, though
the bot's pace lets at most 2 go at once), and one that fires a broadcast at once does not
(python-telegram-bot's own AIORateLimiter allows bursts of 30). Paid messages likewise a
third of a second's worth (300 at 1,000/s). In one chat, 5 at once. What counts is a message a
person sees: a send, an edit, a copy or a forward (not "typing…", nor a button's spinner).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

# What one paid message costs the bot, in Telegram Stars.
STARS_PER_PAID_MESSAGE = Decimal("0.1")
_COUNTED = ("send", "edit", "copy", "forward")
_NOT_COUNTED = frozenset({"sendchataction"})


@dataclass(frozen=True)
class FloodLimit:
    """How strict: messages a second (and how many at once) for the bot, per chat, paid."""

    per_second: float = 30
    burst: int = 10
    per_chat_per_second: float = 1
    chat_burst: int = 5
    paid_per_second: float = 1000
    paid_burst: int = 300


def counted(method: str) -> bool:
    """Whether a Bot API method puts a message in front of someone (and so is limited)."""
    name = method.lower()
    return name.startswith(_COUNTED) and name not in _NOT_COUNTED


def is_paid(method: str, params: dict) -> bool:
    """A send marked `allow_paid_broadcast`: paid for in Stars, past the 30 a second."""
    return method.lower().startswith("send") and params.get("allow_paid_broadcast") is True


@dataclass
class _Bucket:
    rate: float
    burst: int
    # The algorithm's theoretical arrival time: one interval after the last admitted.
    due: float = -math.inf

    def wait(self, now: float) -> float:
        """Seconds until one more conforms (0: now)."""
        return max(0.0, self.due - (self.burst - 1) / self.rate - now)

    def take(self, now: float) -> None:
        self.due = max(self.due, now) + 1 / self.rate


@dataclass
class FloodControl:
    """The buckets of one bot: admits a message or says how long to wait."""

    limit: FloodLimit
    clock: Callable[[], float] = time.monotonic
    _free: _Bucket = field(init=False)
    _paid: _Bucket = field(init=False)
    _chats: dict[int, _Bucket] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._free = _Bucket(self.limit.per_second, self.limit.burst)
        self._paid = _Bucket(self.limit.paid_per_second, self.limit.paid_burst)

    def admit(self, chat_id: int | None, *, paid: bool) -> int:
        """0 when the message may go (and it is counted); else Telegram's retry_after."""
        now = self.clock()
        buckets = [self._paid if paid else self._free]
        if chat_id is not None:
            chat = self._chats.get(chat_id)
            if chat is None:
                chat = self._chats[chat_id] = _Bucket(
                    self.limit.per_chat_per_second, self.limit.chat_burst
                )
            buckets.append(chat)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            # Telegram says whole seconds, at least one.
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(now)
        return 0
