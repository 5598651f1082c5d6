"""The current time, injectable so tests never wait for the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to, for tests and benchmarks."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class MovableClock:
    """Another clock (the real one by default) plus an offset that only grows.

    The demo's `/later 2h` and `/tomorrow` move the bot's time on, so a person sees a
    reminder arrive at its time, the next morning's check and progress over days; the offset
    can be kept between runs. Timers (holds, the reminder tick) still run in real seconds.
    """

    def __init__(self, base: Clock | None = None, offset: timedelta = timedelta(0)) -> None:
        if offset < timedelta(0):
            raise ValueError("a MovableClock never goes back")
        self._base = base or SystemClock()
        self.offset = offset

    def now(self) -> datetime:
        return self._base.now() + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move on by `delta` (not negative: what was sent stays in the past)."""
        if delta < timedelta(0):
            raise ValueError("a MovableClock never goes back")
        self.offset += delta

    def move_to(self, instant: datetime) -> timedelta:
        """Move on to `instant` (a past one leaves the clock where it is); returns the step."""
        step = max(instant.astimezone(UTC) - self.now(), timedelta(0))
        self.offset += step
        return step
